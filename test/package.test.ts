// What users download: `npm pack --dry-run --json` must list only the expected files, and the
// handler bundle must be in it (Code.fromAsset needs it at deploy time).
// Runs in `npx projen build` after compile/bundle, so lib/ and assets/ exist.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';

const repoRoot = path.join(__dirname, '..');
const HANDLER_BUNDLE = 'assets/fargate-profile-handler/index.js';

/** Anything else in the tarball is a leak (sources, tests, CI scripts, build caches). */
const EXPECTED_FILES: readonly RegExp[] = [
  /^lib\/.+\.js$/,
  /^lib\/.+\.d\.ts$/,
  /^assets\/fargate-profile-handler\/index\.js$/,
  /^\.jsii$/, // the jsii assembly: other-language bindings and Construct Hub are generated from it
  /^API\.md$/,
  /^README\.md$/,
  /^LICENSE$/,
  /^package\.json$/,
];

interface PackedFile {
  readonly path: string;
  readonly size: number;
}

interface PackResult {
  readonly size: number;
  readonly unpackedSize: number;
  readonly files: PackedFile[];
}

let pack: PackResult;

beforeAll(() => {
  const stdout = execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], {
    cwd: repoRoot,
    encoding: 'utf-8',
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, npm_config_loglevel: 'error' },
  });
  // npm prints one entry per packed directory; we pack exactly one.
  const results = JSON.parse(stdout) as PackResult[];
  expect(results).toHaveLength(1);
  pack = results[0];
  // Reported, not asserted: size is not a correctness property.
  console.log(`npm tarball: ${pack.size} bytes packed, ${pack.unpackedSize} bytes unpacked, ${pack.files.length} files`);
}, 120_000);

test('the tarball contains only compiled code, the assembly, docs and the license', () => {
  const unexpected = pack.files.map((f) => f.path).filter((p) => !EXPECTED_FILES.some((re) => re.test(p)));
  expect(unexpected).toEqual([]);
});

test('the tarball contains the handler bundle, non-empty', () => {
  const bundle = pack.files.find((f) => f.path === HANDLER_BUNDLE);
  expect(bundle).toBeDefined();
  expect(bundle!.size).toBeGreaterThan(0);
});

test('the tarball contains the entry points package.json declares', () => {
  const pkg = JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf-8')) as { main: string; types: string };
  const paths = pack.files.map((f) => f.path);
  expect(paths).toEqual(expect.arrayContaining([pkg.main, pkg.types, '.jsii', 'README.md', 'LICENSE']));
});

test('no TypeScript sources ship (only declaration files)', () => {
  const sources = pack.files.map((f) => f.path).filter((p) => p.endsWith('.ts') && !p.endsWith('.d.ts'));
  expect(sources).toEqual([]);
});

// README.md is the package's front page on npm and Construct Hub, where only the tarball's files exist.
test('every relative link of README.md resolves to a file in the tarball or to a heading of README.md', () => {
  const readme = readFileSync(path.join(repoRoot, 'README.md'), 'utf-8');
  const prose = readme.replace(/^(`{3,}|~{3,})[^\n]*\n[\s\S]*?^\1\s*$/gm, ''); // not inside code blocks
  const targets = [...prose.matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)].map((m) => m[1]);
  const relative = targets.filter((t) => !/^[a-z][a-z0-9+.-]*:/i.test(t));
  expect(relative.length).toBeGreaterThan(0); // anchors and API.md at least

  const packed = new Set(pack.files.map((f) => f.path));
  const headings = new Set([...prose.matchAll(/^#{1,6}\s+(.+)$/gm)].map((m) => githubSlug(m[1])));
  const broken = relative.filter((target) => {
    const [file, anchor] = target.split('#', 2);
    if (file === '') return !headings.has(anchor);
    return !packed.has(path.posix.normalize(file));
  });
  expect(broken).toEqual([]);
});

/** GitHub's (and npm's) heading anchors: lowercase, punctuation dropped, spaces as '-'. */
function githubSlug(heading: string): string {
  return heading.trim().toLowerCase().replace(/[^\p{L}\p{N}\s_-]/gu, '').replace(/\s/g, '-');
}
