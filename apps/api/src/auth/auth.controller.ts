import { Body, Controller, Get, HttpCode, Post, Ip } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Actor } from '@rollplan/domain';
import { PeopleService } from '../people/people.service';
import { Authenticated, CurrentActor, Public } from './auth.decorators';
import { LoginDto, RefreshDto } from './auth.dto';
import { AuthService, type TokenPair } from './auth.service';

@ApiTags('auth')
@Controller('auth')
export class AuthController {
  constructor(
    private readonly auth: AuthService,
    private readonly people: PeopleService,
  ) {}

  @Post('login')
  @Public()
  @HttpCode(200)
  @ApiOperation({ summary: 'Exchange e-mail and password for an access token and a refresh token' })
  login(@Body() body: LoginDto, @Ip() address: string): Promise<TokenPair> {
    return this.auth.login(body, address);
  }

  @Post('refresh')
  @Public()
  @HttpCode(200)
  @ApiOperation({ summary: 'Rotate a refresh token; reusing a spent one revokes the whole login' })
  refresh(@Body() body: RefreshDto): Promise<TokenPair> {
    return this.auth.refresh(body.refreshToken);
  }

  @Post('logout')
  @Authenticated()
  @HttpCode(204)
  @ApiOperation({ summary: 'End the login this refresh token belongs to' })
  async logout(@Body() body: RefreshDto, @CurrentActor() actor: Actor): Promise<void> {
    await this.auth.logout(body.refreshToken, actor.userId);
  }

  @Get('me')
  @Authenticated()
  @ApiOperation({ summary: 'Who the token belongs to: user, roles, unit, committee membership' })
  me(@CurrentActor() actor: Actor) {
    return this.people.getUser(actor.userId);
  }
}
