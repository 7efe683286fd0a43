import { Body, Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { createZodDto } from 'nestjs-zod';
import { Role, createApiTokenSchema, type Actor } from '@rollplan/domain';
import { IdParamDto } from '../people/people.dto';
import { CurrentActor, Roles } from './auth.decorators';
import { ApiTokensService } from './api-tokens.service';
import { ApiTokenDto, CreatedApiTokenDto } from './auth.responses';

class CreateApiTokenDto extends createZodDto(createApiTokenSchema) {}

@ApiTags('auth')
@Controller('api-tokens')
export class ApiTokensController {
  constructor(private readonly apiTokens: ApiTokensService) {}

  @Post()
  @Roles([Role.Admin])
  @ApiOperation({ summary: 'Create a scoped token for a machine client; the token is in this response only' })
  @ApiCreatedResponse({ type: CreatedApiTokenDto })
  create(@Body() body: CreateApiTokenDto, @CurrentActor() actor: Actor) {
    return this.apiTokens.create(body, actor);
  }

  @Get()
  @Roles([Role.Admin, Role.Auditor])
  @ApiOkResponse({ type: [ApiTokenDto] })
  list() {
    return this.apiTokens.list();
  }

  @Post(':id/revoke')
  @Roles([Role.Admin])
  @HttpCode(200)
  @ApiOkResponse({ type: ApiTokenDto, description: 'the token, revoked (revoking it again changes nothing)' })
  revoke(@Param() { id }: IdParamDto, @CurrentActor() actor: Actor) {
    return this.apiTokens.revoke(id, actor);
  }
}
