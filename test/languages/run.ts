// `npx projen test:languages` (after `package-all`): the Python, Java and Go apps under test/languages/
// each install the package just built (dist/python, dist/java, dist/go) with the aws-cdk-lib and
// constructs of their own registry, synthesize the reference stacks and compare every template with the
// TypeScript reference app's (typescript/reference-app.ts), run here against the same aws-cdk-lib version
// as the language app: the registries do not all carry the same releases, and templates (the Provider
// framework's asset hashes) differ between releases. Everything is installed under test/.tmp/languages;
// downloads go to the usual caches (npm, pip, ~/.m2, GOMODCACHE/GOCACHE).
// Prints one line per language and `languages: N passed, N failed`; exits non-zero on any failure.
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

const ROOT = path.resolve(__dirname, '..', '..');
const HERE = path.join(ROOT, 'test', 'languages');
const WORK = path.join(ROOT, 'test', '.tmp', 'languages');
const CONSTRUCTS_VERSION = '10.5.1';

interface Outcome { readonly passed: number; readonly failed: number }

interface Language {
  readonly name: string;
  /** The aws-cdk-lib version the app pins, read from its own manifest (the one place it is written). */
  readonly cdkVersion: () => string;
  /** Installs and runs the app's tests against the reference directory; returns the test counts. */
  readonly run: (referenceDir: string) => Outcome;
}

function read(file: string): string {
  return fs.readFileSync(path.join(HERE, file), 'utf8');
}

function pinned(file: string, pattern: RegExp): string {
  const match = read(file).match(pattern);
  if (!match) throw new Error(`no aws-cdk-lib version in test/languages/${file} (${pattern})`);
  return match[1];
}

function sh(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): void {
  console.log(`$ (cd ${path.relative(ROOT, cwd) || '.'} && ${command} ${args.join(' ')})`);
  execFileSync(command, args, { cwd, stdio: 'inherit', env: { ...process.env, ...env } });
}

/** Runs a test command; a failing test run is reported through its counts, not an exception. */
function shTests(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): void {
  try {
    sh(command, args, cwd, env);
  } catch {
    console.log(`${command} exited non-zero`);
  }
}

function onlyFile(dir: string, suffix: string): string {
  const files = fs.readdirSync(dir).filter((f) => f.endsWith(suffix));
  if (files.length !== 1) throw new Error(`expected one *${suffix} in ${dir}, found ${files.join(', ') || 'none'}`);
  return path.join(dir, files[0]);
}

/** Counts of a JUnit XML report (pytest, surefire): tests minus failures, errors and skips. */
function junitCounts(files: string[]): Outcome {
  let passed = 0;
  let failed = 0;
  for (const file of files) {
    const xml = fs.readFileSync(file, 'utf8');
    const suite = xml.match(/<testsuite\b[^>]*>/)?.[0] ?? '';
    const attr = (name: string) => Number(suite.match(new RegExp(`\\b${name}="(\\d+)"`))?.[1] ?? 0);
    failed += attr('failures') + attr('errors');
    passed += attr('tests') - attr('failures') - attr('errors') - attr('skipped');
  }
  return { passed, failed };
}

/** The TypeScript reference for one aws-cdk-lib version, as a user's project would install it. */
function typescriptReference(cdkVersion: string): string {
  const project = path.join(WORK, `typescript-${cdkVersion}`);
  const out = path.join(WORK, `reference-${cdkVersion}`);
  fs.rmSync(out, { recursive: true, force: true });
  fs.mkdirSync(project, { recursive: true });
  const tarball = onlyFile(path.join(ROOT, 'dist', 'js'), '.tgz');
  fs.writeFileSync(path.join(project, 'package.json'), JSON.stringify({
    name: 'reference-app',
    private: true,
    dependencies: {
      'aws-cdk-lib': cdkVersion,
      'constructs': CONSTRUCTS_VERSION,
      'cdk-eks-fargate-profile': `file:${tarball}`,
    },
  }, undefined, 2));
  fs.writeFileSync(path.join(project, 'tsconfig.json'), JSON.stringify({
    compilerOptions: {
      target: 'ES2022',
      module: 'commonjs',
      strict: true,
      esModuleInterop: true,
      skipLibCheck: true,
      typeRoots: [path.join(ROOT, 'node_modules', '@types')],
      types: ['node'],
    },
    files: ['reference-app.ts'],
  }, undefined, 2));
  fs.copyFileSync(path.join(HERE, 'typescript', 'reference-app.ts'), path.join(project, 'reference-app.ts'));
  sh('npm', ['install', '--no-audit', '--no-fund', '--no-package-lock', '--loglevel=error'], project);
  // Type-checked (no --transpile-only) against the installed package and aws-cdk-lib, as a user's app is.
  sh(path.join(ROOT, 'node_modules', '.bin', 'ts-node'), ['-P', 'tsconfig.json', 'reference-app.ts', out], project);
  return out;
}

const python: Language = {
  name: 'python',
  cdkVersion: () => pinned('python/requirements.txt', /^aws-cdk-lib==(\S+)/m),
  run: (referenceDir) => {
    const venv = path.join(WORK, 'python-venv');
    fs.rmSync(venv, { recursive: true, force: true });
    sh('python3', ['-m', 'venv', venv], ROOT);
    const pip = path.join(venv, 'bin', 'pip');
    const wheel = onlyFile(path.join(ROOT, 'dist', 'python'), '.whl');
    sh(pip, ['install', '--quiet', '--disable-pip-version-check', '-r', path.join(HERE, 'python', 'requirements.txt'), wheel], ROOT);
    const report = path.join(WORK, 'python-junit.xml');
    fs.rmSync(report, { force: true });
    shTests(path.join(venv, 'bin', 'python'), ['-m', 'pytest', '-q', '-p', 'no:cacheprovider', `--junitxml=${report}`, '.'],
      path.join(HERE, 'python'), { REFERENCE_DIR: referenceDir, PYTHONDONTWRITEBYTECODE: '1' });
    return fs.existsSync(report) ? junitCounts([report]) : { passed: 0, failed: 1 };
  },
};

const java: Language = {
  name: 'java',
  cdkVersion: () => pinned('java/pom.xml', /<aws-cdk-lib\.version>([^<]+)</),
  run: (referenceDir) => {
    const dir = path.join(HERE, 'java');
    const reports = path.join(dir, 'target', 'surefire-reports');
    fs.rmSync(path.join(dir, 'target'), { recursive: true, force: true });
    // dist/java is a Maven repository layout; the pom reads the package from it (file://).
    shTests('mvn', ['--batch-mode', '--no-transfer-progress', '--quiet', `-Ddist.repository=file://${path.join(ROOT, 'dist', 'java')}`, 'test'],
      dir, { REFERENCE_DIR: referenceDir });
    const files = fs.existsSync(reports) ? fs.readdirSync(reports).filter((f) => f.endsWith('.xml')).map((f) => path.join(reports, f)) : [];
    return files.length > 0 ? junitCounts(files) : { passed: 0, failed: 1 };
  },
};

const go: Language = {
  name: 'go',
  cdkVersion: () => pinned('go/go.mod', /github\.com\/aws\/aws-cdk-go\/awscdk\/v2 v(\S+)/),
  run: (referenceDir) => {
    const dir = path.join(HERE, 'go');
    const events = path.join(WORK, 'go-test.json');
    // go.mod points at dist/go with a `replace`; -json gives one event per test.
    let output = '';
    try {
      console.log('$ (cd test/languages/go && go test -count=1 -json ./...)');
      output = execFileSync('go', ['test', '-count=1', '-json', './...'], {
        cwd: dir, env: { ...process.env, REFERENCE_DIR: referenceDir }, maxBuffer: 256 * 1024 * 1024, encoding: 'utf8',
      });
    } catch (e) {
      output = String((e as { stdout?: string }).stdout ?? '');
      console.log(String((e as { stderr?: string }).stderr ?? ''));
    }
    fs.writeFileSync(events, output);
    let passed = 0;
    let failed = 0;
    for (const line of output.split('\n').filter((l) => l.startsWith('{'))) {
      const event = JSON.parse(line) as { Action: string; Test?: string; Output?: string };
      if (event.Action === 'output' && event.Output) process.stdout.write(event.Output);
      if (event.Test && event.Action === 'pass') passed++;
      if (event.Test && event.Action === 'fail') failed++;
      if (!event.Test && event.Action === 'fail' && passed + failed === 0) failed++;
    }
    return passed + failed > 0 ? { passed, failed } : { passed: 0, failed: 1 };
  },
};

const only = process.argv.slice(2);
const languages = [python, java, go].filter((l) => only.length === 0 || only.includes(l.name));
const references = new Map<string, string>();
const lines: string[] = [];
let passed = 0;
let failed = 0;
for (const language of languages) {
  const version = language.cdkVersion();
  let started = Date.now();
  if (!references.has(version)) {
    references.set(version, typescriptReference(version));
    lines.push(`typescript reference (aws-cdk-lib ${version}): ${Math.round((Date.now() - started) / 1000)} s`);
    started = Date.now();
  }
  let outcome: Outcome;
  try {
    outcome = language.run(references.get(version)!);
  } catch (e) {
    console.error(e);
    outcome = { passed: 0, failed: 1 };
  }
  passed += outcome.passed;
  failed += outcome.failed;
  lines.push(`${language.name} (aws-cdk-lib ${version}): ${outcome.passed} passed, ${outcome.failed} failed, ${Math.round((Date.now() - started) / 1000)} s`);
}
lines.push(`languages: ${passed} passed, ${failed} failed`);
console.log(lines.join('\n'));
fs.mkdirSync(path.join(ROOT, 'test-reports'), { recursive: true });
fs.writeFileSync(path.join(ROOT, 'test-reports', 'languages.txt'), lines[lines.length - 1] + '\n');
process.exitCode = failed > 0 || passed === 0 ? 1 : 0;
