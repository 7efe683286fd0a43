import { Module } from '@nestjs/common';
import { CommitteeController, OrgUnitsController, UsersController } from './people.controllers';
import { PeopleService } from './people.service';

@Module({
  controllers: [UsersController, OrgUnitsController, CommitteeController],
  providers: [PeopleService],
  exports: [PeopleService],
})
export class PeopleModule {}
