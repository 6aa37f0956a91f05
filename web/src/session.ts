/**
 * Signing in: the token is checked against the API, its role found out, and it is kept in
 * sessionStorage only (gone when the tab closes; never in localStorage or a cookie).
 */
import { type Api, ApiError, createApi } from './api';
import type { Role } from './types';

const TOKEN_KEY = 'coord.token';

export interface Session {
  readonly token: string;
  readonly role: Role;
  readonly api: Api;
}

/** Why a token cannot be used here, in words for the sign-in form. */
export class SignInError extends Error {}

/**
 * Checks `token`: any viewer+ route answers for viewers, members and admins. The role shows in
 * how an admin-only route answers an empty body: 400 (checked after the role) for an admin, 403
 * for anyone else; either way nothing changes. A member is told from a viewer the same way.
 * @throws SignInError for a refused token or one of another role.
 */
export const signIn = async (token: string): Promise<Session> => {
  const api = createApi(token);
  try {
    await api.get('/v1/agents', { limit: 1 });
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) throw new SignInError('This token was refused.');
    if (error instanceof ApiError && error.status === 403) {
      throw new SignInError('This token may not watch the service: sign in with a viewer or admin token.');
    }
    throw new SignInError(
      `The service did not answer: ${error instanceof Error ? error.message : 'unknown error'}.`,
    );
  }
  let role: Role = 'viewer';
  try {
    await api.send('POST', '/v1/tokens', {});
  } catch (error) {
    if (error instanceof ApiError && error.status === 400) role = 'admin';
  }
  if (role === 'viewer') {
    // A member may post messages: an empty message is then refused for its body (400), after
    // the role was checked (a viewer gets 403); nothing is posted either way.
    try {
      await api.send('POST', '/v1/work/role-check/messages', {});
    } catch (error) {
      if (error instanceof ApiError && error.status === 400) role = 'member';
    }
  }
  sessionStorage.setItem(TOKEN_KEY, token);
  return { token, role, api };
};

export const storedToken = (): string | null => sessionStorage.getItem(TOKEN_KEY);

export const signOut = (): void => sessionStorage.removeItem(TOKEN_KEY);
