/** `skywalking-bridge --version` prints the package's version (the built CLI, a real process). */
import { join } from 'node:path';
import { runProcess } from './support/spawn';

const CLI = join(__dirname, '..', 'dist', 'entry', 'cli.js');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { version } = require('../package.json') as { version: string };

it('prints the version for --version, -v and version', async () => {
  for (const flag of ['--version', '-v', 'version']) {
    expect(await runProcess(process.execPath, [CLI, flag], {})).toEqual({
      code: 0,
      stdout: `skywalking-bridge ${version}\n`,
      stderr: '',
    });
  }
});
