import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { JwtModule } from '@nestjs/jwt';
import { PeopleModule } from '../people/people.module';
import { ApiTokensController } from './api-tokens.controller';
import { ApiTokensService } from './api-tokens.service';
import { AuthController } from './auth.controller';
import { AuthGuard } from './auth.guard';
import { AuthService } from './auth.service';
import { LoginThrottle } from './login-throttle';
import { TokenService } from './token.service';

@Module({
  imports: [JwtModule.register({}), PeopleModule],
  controllers: [AuthController, ApiTokensController],
  providers: [AuthService, TokenService, LoginThrottle, ApiTokensService, { provide: APP_GUARD, useClass: AuthGuard }],
})
export class AuthModule {}
