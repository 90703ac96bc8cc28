import { ConfigError } from '../../core/errors.js';
import { loadConfig } from '../../server/config-file.js';
import { diagnose, type Finding, isProblem } from '../../server/doctor.js';
import { noArguments, stringFlag } from '../args.js';
import { type Command, EXIT_FAILURE, EXIT_OK, EXIT_USAGE } from '../command.js';

/**
 * `gatehouse doctor [--json]`: the effective config (file + env, read as `serve` reads it)
 * against the field's advice (docs/cli.md). Exit 0 clean (notes only), 1 a problem found, 2 the
 * config does not validate.
 */
export const doctorCommand: Command = {
  name: 'doctor',
  summary: 'check the effective config against security advice (exit 1 on a problem)',
  usage: 'doctor [--json] [--config <file>]',
  flags: {
    json: {
      type: 'boolean',
      description: 'one JSON object: { valid, ok, findings: [{ rule, severity, path, message, fix }] }',
    },
  },
  async run(args, { io, print }) {
    noArguments(args.positionals);
    const json = args.flags.json === true;
    let findings: Finding[];
    try {
      const config = await loadConfig({
        cwd: io.cwd,
        env: io.env,
        configPath: stringFlag(args, 'config'),
        notice: (m) => io.stderr.write(`gatehouse: ${m}\n`),
      });
      findings = diagnose(config);
    } catch (err) {
      // Without --json the CLI's own report prints the validation message and exits 2.
      if (!(json && err instanceof ConfigError)) throw err;
      print(JSON.stringify({ valid: false, ok: false, error: err.message, findings: [] }));
      return EXIT_USAGE;
    }
    const ok = !findings.some(isProblem);
    if (json) print(JSON.stringify({ valid: true, ok, findings }, null, 2));
    else printReport(findings, print);
    return ok ? EXIT_OK : EXIT_FAILURE;
  },
};

function printReport(findings: Finding[], print: (line: string) => void): void {
  if (findings.length === 0) {
    print('gatehouse doctor: no problems found.');
    return;
  }
  for (const f of findings) {
    print(`${f.severity.toUpperCase().padEnd(7)} ${f.rule} (${f.path})`);
    print(`        ${f.message}`);
    print(`        fix: ${f.fix}`);
  }
  const problems = findings.filter(isProblem).length;
  print(
    `\n${problems} problem${problems === 1 ? '' : 's'}, ${findings.length - problems} note${findings.length - problems === 1 ? '' : 's'}.`,
  );
}
