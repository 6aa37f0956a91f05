/**
 * Where `coord` finds its service, token and agent: flags, then environment, then the config
 * file (`$COORD_CONFIG`, else `$XDG_CONFIG_HOME/coord/config.json`, else
 * `~/.config/coord/config.json`). The legacy names `AGENT_ID` and `AGENT_TEAM` are read as
 * defaults, so scripts written for the shell coordinator keep their environment.
 */
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { UsageError } from './io';

/** The local stack's address (`npm start`). */
export const DEFAULT_URL = 'http://127.0.0.1:3000';

/** Everything a command may need to know about where and who it is. */
export interface CliConfig {
  readonly url: string;
  /** Bearer for admin, viewer and registration calls (and agent calls without an agent token). */
  readonly token?: string;
  /** `token` when it was given explicitly (`--token` or `COORD_TOKEN`), not by the config file. */
  readonly explicitToken?: string;
  /** Bearer for calls made as the agent; else the one saved by `coord register`, else `token`. */
  readonly agentToken?: string;
  readonly agentId?: string;
  readonly team?: string;
  readonly configFile: string;
  /** Folder of the claim tokens and agent tokens this machine holds. */
  readonly stateDir: string;
}

/** Values given as flags; they win over everything else. */
export interface ConfigFlags {
  readonly url?: string;
  readonly token?: string;
  readonly agentId?: string;
  readonly team?: string;
}

const FILE_KEYS = ['url', 'token', 'agentToken', 'agentId', 'team'] as const;
type FileConfig = Partial<Record<(typeof FILE_KEYS)[number], string>>;

const configFilePath = (env: Readonly<Record<string, string | undefined>>): string => {
  if (env.COORD_CONFIG) return env.COORD_CONFIG;
  const base = env.XDG_CONFIG_HOME || join(env.HOME || homedir(), '.config');
  return join(base, 'coord', 'config.json');
};

const readConfigFile = async (path: string, required: boolean): Promise<FileConfig> => {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT' && !required) return {};
    throw new UsageError(`cannot read the config file ${path}: ${(error as Error).message}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`the config file ${path} is not valid JSON: ${(error as Error).message}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new UsageError(`the config file ${path} must hold a JSON object`);
  }
  const config: FileConfig = {};
  for (const [key, value] of Object.entries(parsed)) {
    if (!(FILE_KEYS as readonly string[]).includes(key)) {
      throw new UsageError(
        `the config file ${path} has an unknown key '${key}' (known: ${FILE_KEYS.join(', ')})`,
      );
    }
    if (typeof value !== 'string') throw new UsageError(`the config file ${path}: '${key}' must be a string`);
    config[key as keyof FileConfig] = value;
  }
  return config;
};

/** A bearer token travels in an HTTP header: visible ASCII only. */
const TOKEN = /^[\x21-\x7e]+$/;

/** `token`, if it can be sent. @throws UsageError naming where it came from */
const usableToken = (token: string | undefined, source: string): string | undefined => {
  if (token !== undefined && !TOKEN.test(token)) {
    throw new UsageError(
      `the token from ${source} holds spaces, control or non-ASCII characters, which a token never has`,
    );
  }
  return token;
};

const firstOf = (...values: (string | undefined)[]): string | undefined =>
  values.find((value) => value !== undefined && value !== '');

/**
 * Resolves the configuration.
 * @throws UsageError when `COORD_CONFIG` names a missing file, or the file is malformed.
 */
export const loadCliConfig = async (
  env: Readonly<Record<string, string | undefined>>,
  flags: ConfigFlags = {},
): Promise<CliConfig> => {
  const configFile = configFilePath(env);
  const file = await readConfigFile(configFile, Boolean(env.COORD_CONFIG));
  const url = firstOf(flags.url, env.COORD_URL, file.url) ?? DEFAULT_URL;
  try {
    new URL(url);
  } catch {
    throw new UsageError(`'${url}' is not a URL (set COORD_URL or --url)`);
  }
  const explicitToken = usableToken(firstOf(flags.token, env.COORD_TOKEN), 'COORD_TOKEN or --token');
  const token = explicitToken ?? usableToken(firstOf(file.token), `'token' in ${configFile}`);
  const agentToken = usableToken(
    firstOf(flags.token, env.COORD_AGENT_TOKEN, file.agentToken),
    'COORD_AGENT_TOKEN, --token or the config file',
  );
  const agentId = firstOf(flags.agentId, env.COORD_AGENT_ID, env.AGENT_ID, file.agentId);
  const team = firstOf(flags.team, env.COORD_TEAM, env.AGENT_TEAM, file.team);
  return {
    url,
    configFile,
    stateDir: firstOf(env.COORD_STATE_DIR) ?? join(dirname(configFile), 'state'),
    ...(token ? { token } : {}),
    ...(explicitToken ? { explicitToken } : {}),
    ...(agentToken ? { agentToken } : {}),
    ...(agentId ? { agentId } : {}),
    ...(team ? { team } : {}),
  };
};
