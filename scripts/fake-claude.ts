/**
 * `npm run fake-claude`: the fake Anthropic Messages API the tests use (JSON and SSE streaming,
 * `tool_use` turns), answering as a plausible Claude would from what each request carries, so
 * a running `npm start` shows its Claude path without a key. `FAKE_CLAUDE_PORT` sets the port
 * (default 8788; 0 for a free one). Stop it with Ctrl-C.
 */
import { startDemoFakeAnthropic } from '../test/support/fake-anthropic';

const DEFAULT_PORT = 8788;

const portOf = (value: string | undefined): number => {
  if (value === undefined || value === '') return DEFAULT_PORT;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    console.error(`FAKE_CLAUDE_PORT must be a port number (0..65535), not "${value}".`);
    process.exit(2);
  }
  return port;
};

const main = async (): Promise<void> => {
  const port = portOf(process.env.FAKE_CLAUDE_PORT);
  const fake = await startDemoFakeAnthropic(port).catch((error: NodeJS.ErrnoException) => {
    console.error(
      error.code === 'EADDRINUSE'
        ? `Port ${port} is in use: set FAKE_CLAUDE_PORT to another port, or 0 for a free one.`
        : `The fake Messages API did not start: ${error.message}`,
    );
    process.exit(1);
  });
  console.log(`Fake Claude (Anthropic Messages API) listening on ${fake.url}`);
  console.log('Point the service at it, in another terminal:');
  console.log(`  ANTHROPIC_BASE_URL=${fake.url} ANTHROPIC_API_KEY=sk-ant-fake npm start`);
  console.log('AI answers then say source "claude"; every answer of the fake starts with "(fake Claude)".');
  let served = 0;
  const timer = setInterval(() => {
    if (fake.requests.length === served) return;
    served = fake.requests.length;
    console.log(`${served} requests answered`);
  }, 2_000);
  const stop = () => {
    clearInterval(timer);
    void fake.close().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
};

await main();
