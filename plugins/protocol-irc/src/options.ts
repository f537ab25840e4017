import { Type, type Static } from '@wildtls/core';

export const DEFAULT_OPTIONS = {
  nick: 'wildtls-scan',
  user: 'wildtls',
  realname: 'wildtls TLS research scanner',
  registerIfRequired: true,
  maxLines: 200,
};

/** The plugin's section under `options.irc`. */
export const IrcOptionsSchema = Type.Object(
  {
    nick: Type.String({ default: DEFAULT_OPTIONS.nick, minLength: 1, maxLength: 30, pattern: '^[^\\s:,*?!@]+$', description: 'Nick used if the server insists on registration before answering CAP LS.' }),
    user: Type.String({ default: DEFAULT_OPTIONS.user, minLength: 1, maxLength: 10, pattern: '^[^\\s@]+$', description: 'User name for USER, only sent when registering.' }),
    realname: Type.String({ default: DEFAULT_OPTIONS.realname, maxLength: 128, description: 'Real name for USER: says a research scanner is calling.' }),
    registerIfRequired: Type.Boolean({ default: DEFAULT_OPTIONS.registerIfRequired, description: 'Register (NICK/USER) when the server answers CAP LS with 451 "not registered"; otherwise we never register.' }),
    maxLines: Type.Integer({ default: DEFAULT_OPTIONS.maxLines, minimum: 8, description: 'Most lines read while waiting for one reply (NOTICEs, PINGs, CAP continuation lines).' }),
  },
  { additionalProperties: false },
);

export type IrcOptions = Static<typeof IrcOptionsSchema>;

export function resolveOptions(given: Partial<IrcOptions> | undefined): IrcOptions {
  return { ...DEFAULT_OPTIONS, ...given };
}
