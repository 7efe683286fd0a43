import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { CycleEntity } from '@rollplan/db';
import { CyclesController } from './cycles.controller';
import { CyclesService } from './cycles.service';

@Module({
  imports: [TypeOrmModule.forFeature([CycleEntity])],
  controllers: [CyclesController],
  providers: [CyclesService],
})
export class CyclesModule {}
