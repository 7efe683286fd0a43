import { Body, Controller, Get, HttpCode, Inject, Ip, Post, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { DomainError, ErrorCode, type Actor } from '@rollplan/domain';
import { API_CONFIG, type ApiConfig } from '../config';
import { PeopleService } from '../people/people.service';
import { Authenticated, CurrentActor, Public } from './auth.decorators';
import { UserViewDto } from '../people/people.responses';
import { LoginDto, LogoutDto, RefreshDto } from './auth.dto';
import { TokensDto } from './auth.responses';
import { clearRefreshCookie, cookieToken, refreshCookieOf, setRefreshCookie, wantsCookie } from './refresh-cookie';
import { AuthService, type TokenPair } from './auth.service';

/** What a browser gets: the access token; the refresh token went into the cookie. */
type BrowserTokens = Omit<TokenPair, 'refreshToken'>;

@ApiTags('auth')
@Controller('auth')
export class AuthController {
  /** Secure cookies need HTTPS: every deployment but the local stack and the tests. */
  private readonly secureCookies: boolean;

  constructor(
    private readonly auth: AuthService,
    private readonly people: PeopleService,
    @Inject(API_CONFIG) config: ApiConfig,
  ) {
    this.secureCookies = config.NODE_ENV === 'production';
  }

  @Post('login')
  @Public()
  @HttpCode(200)
  @ApiOperation({
    summary: 'Exchange e-mail and password for an access token and a refresh token; with `X-Rollplan-Client: web` the refresh token is set as an httpOnly cookie instead of returned',
  })
  @ApiOkResponse({ type: TokensDto })
  async login(@Body() body: LoginDto, @Ip() address: string, @Req() req: Request, @Res({ passthrough: true }) res: Response): Promise<TokenPair | BrowserTokens> {
    return this.answer(req, res, await this.auth.login(body, address));
  }

  @Post('refresh')
  @Public()
  @HttpCode(200)
  @ApiOperation({ summary: 'Rotate a refresh token (from the body, or the cookie with X-Rollplan-CSRF: 1); reusing a spent one revokes the whole login' })
  @ApiOkResponse({ type: TokensDto })
  async refresh(@Body() body: RefreshDto, @Req() req: Request, @Res({ passthrough: true }) res: Response): Promise<TokenPair | BrowserTokens> {
    const fromCookie = body.refreshToken ? undefined : cookieToken(req);
    const token = body.refreshToken ?? fromCookie;
    if (!token) throw new DomainError(ErrorCode.Unauthenticated, 'refresh token is invalid or expired');
    return fromCookie ? this.answerWithCookie(res, await this.auth.refresh(token)) : this.auth.refresh(token);
  }

  @Post('logout')
  @Authenticated()
  @HttpCode(204)
  @ApiOperation({ summary: 'End this login (its refresh token from the body or the cookie), or every login of the user with `everywhere: true`' })
  @ApiNoContentResponse({ description: 'signed out' })
  async logout(@Body() body: LogoutDto, @CurrentActor() actor: Actor, @Req() req: Request, @Res({ passthrough: true }) res: Response): Promise<void> {
    const token = body.refreshToken ?? cookieToken(req);
    if (body.everywhere) await this.auth.logoutEverywhere(actor.userId);
    else if (token) await this.auth.logout(token, actor.userId);
    if (refreshCookieOf(req)) clearRefreshCookie(res, this.secureCookies);
  }

  /** A browser's login keeps the refresh token in the cookie; an API client's gets it in JSON. */
  private answer(req: Request, res: Response, pair: TokenPair): TokenPair | BrowserTokens {
    return wantsCookie(req) ? this.answerWithCookie(res, pair) : pair;
  }

  private answerWithCookie(res: Response, { refreshToken, refreshExpiresAt, ...access }: TokenPair): BrowserTokens {
    setRefreshCookie(res, refreshToken, refreshExpiresAt, this.secureCookies);
    return { ...access, refreshExpiresAt };
  }

  @Get('me')
  @Authenticated()
  @ApiOperation({ summary: 'Who the token belongs to: user, roles, unit, committee membership' })
  @ApiOkResponse({ type: UserViewDto })
  me(@CurrentActor() actor: Actor) {
    return this.people.getUser(actor.userId);
  }
}
