import { Module } from '@nestjs/common';
import { CommitteeController, OrgUnitsController, UsersController } from './people.controllers';
import { DirectoryController } from './directory.controller';
import { PeopleService } from './people.service';

@Module({
  controllers: [UsersController, OrgUnitsController, CommitteeController, DirectoryController],
  providers: [PeopleService],
  exports: [PeopleService],
})
export class PeopleModule {}
