/**
 * `coord`: finds the command, parses its arguments with `util.parseArgs`, runs it, and turns
 * every failure into a message and an exit status (0 ok, 1 error, 2 usage, 3 conflict; `run`
 * also 126/127 when its command cannot start).
 */
import { parseArgs } from 'node:util';
import { ApiError, NetworkError } from './client';
import { type Command, type CommandGroup, createContext, type OptionsConfig } from './command';
import { AGENT_COMMANDS } from './commands/agents';
import { AI_COMMANDS } from './commands/ai';
import { DOCTOR_COMMANDS } from './commands/doctor';
import { IMPORT_COMMANDS } from './commands/import-legacy';
import { LEGACY_COMMANDS } from './commands/legacy';
import { MCP_COMMANDS } from './commands/mcp';
import { MESSAGE_COMMANDS } from './commands/messages';
import { OUTBOX_COMMANDS } from './commands/outbox';
import { RUNTIME_COMMANDS } from './commands/runtime';
import { VIEW_COMMANDS } from './commands/views';
import { WATCH_COMMANDS } from './commands/watch';
import { WORK_COMMANDS } from './commands/work';
import { loadCliConfig } from './config';
import { CommandFailure, ExitCode, type Io, sayJson, UsageError, warn } from './io';
import { isWellFormed, printable } from './text';

const CONFLICT = 409;

/** Options every command takes. */
const GLOBAL_OPTIONS: OptionsConfig = {
  json: { type: 'boolean' },
  quiet: { type: 'boolean', short: 'q' },
  url: { type: 'string' },
  token: { type: 'string' },
  'agent-id': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
};

/** Every command, in help order. */
export const COMMANDS: readonly Command[] = [
  ...WORK_COMMANDS,
  ...MESSAGE_COMMANDS,
  ...AGENT_COMMANDS,
  ...VIEW_COMMANDS,
  ...AI_COMMANDS,
  ...IMPORT_COMMANDS,
  ...RUNTIME_COMMANDS,
  ...MCP_COMMANDS,
  ...DOCTOR_COMMANDS,
  ...WATCH_COMMANDS,
  ...OUTBOX_COMMANDS,
  ...LEGACY_COMMANDS,
];

const GROUP_TITLES: Record<CommandGroup, string> = {
  work: 'Work',
  agents: 'Agents',
  views: 'Views',
  ai: 'AI (the legacy claude-* commands)',
  import: 'Import',
  runtime: 'Agent runtime',
  checks: 'Guarantees you can check',
  legacy: 'Legacy commands with no service equivalent',
};

const findCommand = (name: string): Command | undefined =>
  COMMANDS.find((command) => command.name === name || command.aliases?.includes(name));

const usageLine = (command: Command): string =>
  `coord ${command.name}${command.usage ? ` ${command.usage}` : ''}`;

/** The full help text. */
export const helpText = (): string => {
  const lines = [
    'coord: command line for the agent coordination service',
    '',
    'usage: coord <command> [arguments] [--json] [-q] [--url URL] [--token TOKEN] [--agent-id ID]',
  ];
  for (const group of Object.keys(GROUP_TITLES) as CommandGroup[]) {
    lines.push('', `${GROUP_TITLES[group]}:`);
    for (const command of COMMANDS.filter((entry) => entry.group === group)) {
      const aliases = command.aliases?.length ? ` (also ${command.aliases.join(', ')})` : '';
      lines.push(`  ${usageLine(command)}`, `      ${command.summary}${aliases}`);
    }
  }
  lines.push(
    '',
    'Configuration (flags win over environment, environment over the config file):',
    '  COORD_URL (default http://127.0.0.1:3000), COORD_TOKEN (admin, viewer or registration key),',
    '  COORD_AGENT_TOKEN, COORD_AGENT_ID (or AGENT_ID), COORD_TEAM (or AGENT_TEAM),',
    '  COORD_CONFIG (default ~/.config/coord/config.json: {"url","token","agentToken","agentId","team"}),',
    '  COORD_STATE_DIR (saved claim and agent tokens; default <config dir>/state),',
    '  CURRENT_WORK_ITEM (default work id), COORDINATION_DIR (default --dir of import-legacy).',
    '',
    'Exit status: 0 ok, 1 error, 2 usage (nothing was sent), 3 conflict (HTTP 409, or one found before',
    '  calling the service); coord run: 126/127 when the command cannot be started (its item is released).',
    '  coord inbox --wait: 4 when no message came in time.',
  );
  return `${lines.join('\n')}\n`;
};

const describeError = (error: ApiError): string[] => {
  const lines = [`ERROR: ${error.code} (HTTP ${error.status}): ${error.message}`];
  const holder = error.details.holder as Record<string, unknown> | undefined;
  if (holder) {
    lines.push(
      `  held by ${String(holder.agentId)} (${String(holder.status)}, last heartbeat ${String(holder.lastHeartbeatAt)}, lease until ${String(holder.leaseExpiresAt)})`,
    );
  } else if (typeof error.details.status === 'string') {
    lines.push(`  item status: ${error.details.status}`);
  }
  const fieldErrors = Array.isArray(error.details.errors) ? error.details.errors : [];
  for (const entry of fieldErrors as { path?: string; message?: string }[]) {
    lines.push(`  ${entry.path || '(request)'}: ${entry.message}`);
  }
  if (error.requestId) lines.push(`  request id: ${error.requestId}`);
  return lines;
};

/** The `--json` form of an error: `{"error": {code, message, ...}}` on stdout. */
const sayJsonError = (io: Io, error: Record<string, unknown>): void => {
  sayJson(io, { error });
};

const report = (io: Io, json: boolean, error: unknown, command: Command | undefined): ExitCode => {
  if (error instanceof UsageError) {
    if (json) sayJsonError(io, { code: 'usage', message: error.message, details: {} });
    else {
      warn(io, `coord${command ? ` ${command.name}` : ''}: ${printable(error.message)}`);
      if (command) warn(io, `usage: ${usageLine(command)}`);
    }
    return ExitCode.Usage;
  }
  if (error instanceof ApiError) {
    if (json) {
      sayJsonError(io, {
        status: error.status,
        code: error.code,
        message: error.message,
        details: error.details,
        ...(error.requestId ? { requestId: error.requestId } : {}),
      });
    } else for (const line of describeError(error)) warn(io, printable(line));
    return error.status === CONFLICT ? ExitCode.Conflict : ExitCode.Error;
  }
  if (error instanceof NetworkError) {
    const message = `${error.message} (is the service running? \`npm start\` serves it locally)`;
    if (json) sayJsonError(io, { code: 'unreachable', message, details: {} });
    else warn(io, `ERROR: ${printable(message)}`);
    return ExitCode.Error;
  }
  if (error instanceof CommandFailure) {
    if (json) {
      sayJsonError(io, {
        code: error.exitCode === ExitCode.Conflict ? 'conflict' : 'failed',
        message: error.message,
        details: error.details,
      });
    } else warn(io, `ERROR: ${printable(error.message)}`);
    return error.exitCode;
  }
  const message = (error as Error).message ?? String(error);
  if (json) sayJsonError(io, { code: 'error', message, details: {} });
  else warn(io, `ERROR: ${printable(message)}`);
  return ExitCode.Error;
};

/**
 * `util.parseArgs`'s message without its hint (which quotes the value unbalanced), with our
 * own hint for values that start with '-' (a negative number is taken for an option).
 */
const parseErrorMessage = (error: NodeJS.ErrnoException, command: Command): string => {
  const message = printable(error.message.split('. To specify a positional argument')[0] ?? error.message);
  const option = /^Unknown option '(.*)'$/s.exec(error.message.split('. To specify')[0] ?? '')?.[1];
  if (error.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' && option !== undefined && /^-\d/.test(option)) {
    return `${message} (a value starting with '-' goes after '--': coord ${command.name} ... -- ${printable(option)})`;
  }
  return message;
};

interface Parsed {
  readonly positionals: string[];
  readonly rest: string[];
  readonly values: Record<string, string | boolean | (string | boolean)[] | undefined>;
}

const parseCommandArgs = (command: Command, args: string[]): Parsed => {
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({
      args,
      options: { ...GLOBAL_OPTIONS, ...command.options },
      allowPositionals: true,
      strict: true,
      tokens: true,
    });
  } catch (error) {
    throw new UsageError(parseErrorMessage(error as NodeJS.ErrnoException, command));
  }
  const terminator = parsed.tokens?.find((token) => token.kind === 'option-terminator');
  const positionals: string[] = [];
  const rest: string[] = [];
  for (const token of parsed.tokens ?? []) {
    if (token.kind !== 'positional') continue;
    (terminator && token.index > terminator.index && command.takesRest ? rest : positionals).push(
      token.value,
    );
  }
  // A lone surrogate cannot be sent (URLs and JSON would change it): refuse it here, once.
  // Options given more than once (`multiple`) hold arrays: each of their values is checked too.
  for (const value of [...positionals, ...Object.values(parsed.values).flat()]) {
    if (typeof value === 'string' && !isWellFormed(value)) {
      throw new UsageError(`'${printable(value)}' holds a lone surrogate (half of a character)`);
    }
  }
  return { positionals, rest, values: parsed.values };
};

/** Options of one run. */
export interface RunOptions {
  readonly io: Io;
  /** @default globalThis.fetch */
  readonly fetch?: typeof fetch;
}

/** Runs `coord` with the given arguments (without `node` and the script) and returns the exit status. */
export const runCli = async (argv: readonly string[], options: RunOptions): Promise<ExitCode> => {
  const { io } = options;
  const scan = parseArgs({
    args: [...argv],
    options: GLOBAL_OPTIONS,
    allowPositionals: true,
    strict: false,
    tokens: true,
  });
  const nameToken = scan.tokens?.find((token) => token.kind === 'positional');
  const asJson = argv.includes('--json');
  const usageError = (message: string): ExitCode => report(io, asJson, new UsageError(message), undefined);
  if (!nameToken) {
    // `coord --help` asks for the help; a bare `coord` (or only options) is a usage error.
    if (scan.values.help === true) {
      io.stdout.write(helpText());
      return ExitCode.Ok;
    }
    io.stderr.write(helpText());
    return ExitCode.Usage;
  }
  if (nameToken.value === 'help') {
    const topics = scan.positionals.slice(1);
    if (topics.length === 0) {
      io.stdout.write(helpText());
      return ExitCode.Ok;
    }
    const command = findCommand(topics[0] as string);
    if (!command)
      return usageError(`unknown command '${printable(topics[0] as string)}' (coord help lists them)`);
    if (topics.length > 1)
      return usageError(`help takes one command, got '${printable(topics[1] as string)}' too`);
    io.stdout.write(`usage: ${usageLine(command)}\n  ${command.summary}\n`);
    return ExitCode.Ok;
  }
  const command = findCommand(nameToken.value);
  if (!command) return usageError(`unknown command '${printable(nameToken.value)}' (coord help lists them)`);
  const args = argv.filter((_, index) => index !== nameToken.index);
  let json = args.includes('--json');
  try {
    const parsed = parseCommandArgs(command, args);
    json = parsed.values.json === true;
    if (parsed.values.help === true) {
      io.stdout.write(`usage: ${usageLine(command)}\n  ${command.summary}\n`);
      return ExitCode.Ok;
    }
    const flag = (name: string) => {
      const value = parsed.values[name];
      return typeof value === 'string' ? value : undefined;
    };
    const context = createContext({
      io,
      positionals: parsed.positionals,
      rest: parsed.rest,
      values: parsed.values,
      loadConfig: () =>
        loadCliConfig(io.env, {
          ...(flag('url') ? { url: flag('url') } : {}),
          ...(flag('token') ? { token: flag('token') } : {}),
          ...(flag('agent-id') ? { agentId: flag('agent-id') } : {}),
        }),
      ...(options.fetch ? { fetch: options.fetch } : {}),
      outbox: command.outbox !== false,
    });
    return (await command.run(context)) ?? ExitCode.Ok;
  } catch (error) {
    return report(io, json, error, command);
  }
};
