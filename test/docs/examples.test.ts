// Documentation that compiles: every fenced TypeScript block in README.md and every `@example`
// in the jsii assembly must type-check against src/. Part of `npx projen build` (jest runs after
// compile, so .jsii is fresh).
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { assemblyExamples, JsiiAssembly, markdownSnippets, Snippet, SnippetError, typeCheckSnippets } from './snippets';

const repoRoot = path.join(__dirname, '..', '..');
const assembly = JSON.parse(readFileSync(path.join(repoRoot, '.jsii'), 'utf-8')) as JsiiAssembly;
const exportedTypes = Object.values(assembly.types ?? {}).map((t) => (t as { name: string }).name);
const readme = readFileSync(path.join(repoRoot, 'README.md'), 'utf-8');

function report(errors: readonly SnippetError[]): string {
  return errors.map((e) => `${e.origin}: ${e.message}`).join('\n');
}

// The checker itself must find real errors, or the documentation tests prove nothing. These cases
// are checked in the same TypeScript program as the documentation (loading aws-cdk-lib's types
// takes most of the time), under origins of their own.
// A class, so that the fixture can use it as a value (the first type may be an interface).
const className = Object.values(assembly.types ?? {}).find((t) => (t as { kind?: string }).kind === 'class')!.name;
const checkerCases: Snippet[] = [
  { origin: 'case:type-error', code: "import { Stack } from 'aws-cdk-lib';\nconst s: Stack = 'not a stack';\nconsole.log(s);" },
  { origin: 'case:unknown-import', code: "import { Nope } from 'cdk-eks-fargate-profile';\nconsole.log(Nope);" },
  { origin: 'case:unknown-name', code: 'undefinedName.call();' },
  { origin: 'case:valid-self-contained', code: "import { App } from 'aws-cdk-lib';\nnew App();" },
  {
    origin: 'case:default-fixture',
    code: `declare const cluster: eks.ICluster;\nconsole.log(cluster, ${className});\nnew ec2.Vpc(this, 'Vpc');\nconst c: Construct = this;\nconsole.log(c, Duration.minutes(1));`,
  },
  { origin: 'case:no-default-imports', code: "import { App } from 'aws-cdk-lib';\nnew App();\nnew ec2.Vpc(this, 'Vpc');" },
  // A README block without imports: users copy it as it is, so the default fixture does not apply.
  ...markdownSnippets(['```ts', `declare const profile: ${className};`, 'cdk.Annotations.of(profile);', '```'].join('\n'), 'case:readme'),
  ...markdownSnippets(['```ts', "import * as cdk from 'aws-cdk-lib';", `import { ${className} } from 'cdk-eks-fargate-profile';`, '',
    `declare const profile: ${className};`, 'cdk.Annotations.of(profile);', '```'].join('\n'), 'case:readme-imports'),
];

const readmeSnippets = markdownSnippets(readme, 'README.md');
const examples = assemblyExamples(assembly);
let errors: SnippetError[];

beforeAll(() => {
  errors = typeCheckSnippets([...readmeSnippets, ...examples, ...checkerCases], exportedTypes);
}, 300_000);

const errorsFrom = (origins: readonly Snippet[]) => errors.filter((e) => origins.some((o) => o.origin === e.origin));
const errorsOf = (origin: string) => errors.filter((e) => e.origin === origin);

describe('README.md', () => {
  test('every fenced ts block type-checks', () => {
    expect(readmeSnippets.length).toBeGreaterThan(0); // the usage examples are there to be checked
    expect(report(errorsFrom(readmeSnippets))).toBe('');
  });
});

describe('doc comments', () => {
  test('every @example in the assembly type-checks', () => {
    expect(report(errorsFrom(examples))).toBe('');
  });
});

describe('snippet checker', () => {
  test('extracts ts and typescript blocks with their line, and ignores other languages', () => {
    const md = ['# T', '```ts', 'const a = 1;', '```', '```sh', 'ls', '```', '```typescript', 'const b = 2;', '```'].join('\n');
    expect(markdownSnippets(md, 'X.md')).toEqual([
      { origin: 'X.md:2', code: 'const a = 1;', selfContained: true },
      { origin: 'X.md:8', code: 'const b = 2;', selfContained: true },
    ]);
  });

  test('an unclosed block is an error naming the file and line', () => {
    expect(() => markdownSnippets('text\n```ts\nconst a = 1;\n', 'X.md')).toThrow('X.md:2: code block is never closed');
  });

  test('reports type errors, unknown imports and unknown names', () => {
    expect(report(errorsOf('case:type-error'))).toMatch(/TS2322/);
    expect(report(errorsOf('case:unknown-import'))).toMatch(/has no exported member 'Nope'/);
    expect(report(errorsOf('case:unknown-name'))).toMatch(/Cannot find name 'undefinedName'/);
    expect(report(errorsOf('case:valid-self-contained'))).toBe('');
  });

  test('the default fixture provides aws-cdk-lib, constructs, this library and a `this` scope', () => {
    expect(report(errorsOf('case:default-fixture'))).toBe('');
  });

  test('a self-contained snippet (with imports) gets no default imports', () => {
    expect(report(errorsOf('case:no-default-imports'))).toMatch(/Cannot find name 'ec2'/);
  });

  test('a README block gets no default imports, with or without imports of its own: no exceptions', () => {
    const readmeCase = errorsOf('case:readme:1').map((e) => e.message).join('\n');
    expect(readmeCase).toMatch(new RegExp(`Cannot find name '${className}'`));
    expect(readmeCase).toMatch(/Cannot find name 'cdk'/);
    expect(report(errorsOf('case:readme-imports:1'))).toBe('');
  });
});
