// Type-checks documentation code: the README's fenced TypeScript blocks and the `@example`
// blocks of the jsii assembly (doc comments), against src/ as the package `cdk-eks-fargate-profile`.
//
// Why not jsii-rosetta: rosetta only looks for fixtures in a top-level `rosetta/` directory,
// which this repository's layout does not allow. The rules below follow rosetta's conventions:
// - A snippet with its own `import` statements is self-contained.
// - A README block is always self-contained, imports or not: users copy it as it is, so every
//   name it uses must be imported or declared in the block itself.
// - A snippet without imports (typical `@example`) gets the default fixture: aws-cdk-lib,
//   constructs and every type this library exports are in scope.
// - Imports, `declare` and `export` statements are hoisted to module level; everything else runs
//   inside a Stack subclass's constructor, so `this` is a Construct scope.
import * as path from 'node:path';
import * as ts from 'typescript';

export const PACKAGE_NAME = 'cdk-eks-fargate-profile';
const repoRoot = path.join(__dirname, '..', '..');

export interface Snippet {
  /** Where it comes from, for error messages: `README.md:42` or `FargateProfileProps.selectors`. */
  readonly origin: string;
  readonly code: string;
  /** Copied as it is by users (a README block): no default imports, even without imports of its own. */
  readonly selfContained?: boolean;
}

export interface SnippetError {
  readonly origin: string;
  readonly message: string;
}

/** Every fenced block tagged `ts` or `typescript` in a Markdown document. */
export function markdownSnippets(markdown: string, fileName: string): Snippet[] {
  const snippets: Snippet[] = [];
  const lines = markdown.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const open = /^\s*(`{3,}|~{3,})\s*(ts|typescript)\b/.exec(lines[i]);
    if (!open) continue;
    const fence = open[1];
    const start = i;
    const body: string[] = [];
    for (i++; i < lines.length && !lines[i].trim().startsWith(fence); i++) body.push(lines[i]);
    if (i >= lines.length) throw new Error(`${fileName}:${start + 1}: code block is never closed`);
    snippets.push({ origin: `${fileName}:${start + 1}`, code: body.join('\n'), selfContained: true });
  }
  return snippets;
}

interface JsiiDocs { readonly example?: string }
interface JsiiMember { readonly name: string; readonly docs?: JsiiDocs }
interface JsiiType {
  readonly fqn: string;
  readonly name: string;
  readonly docs?: JsiiDocs;
  readonly initializer?: { readonly docs?: JsiiDocs };
  readonly properties?: JsiiMember[];
  readonly methods?: JsiiMember[];
  readonly members?: JsiiMember[];
}
export interface JsiiAssembly { readonly types?: Record<string, JsiiType> }

/** Every `@example` in the assembly: on types, initializers, properties, methods, enum members. */
export function assemblyExamples(assembly: JsiiAssembly): Snippet[] {
  const snippets: Snippet[] = [];
  for (const type of Object.values(assembly.types ?? {})) {
    const add = (where: string, docs?: JsiiDocs) => {
      if (docs?.example) snippets.push({ origin: `@example of ${where}`, code: docs.example });
    };
    add(type.name, type.docs);
    add(`${type.name} constructor`, type.initializer?.docs);
    for (const member of [...(type.properties ?? []), ...(type.methods ?? []), ...(type.members ?? [])]) {
      add(`${type.name}.${member.name}`, member.docs);
    }
  }
  return snippets;
}

/**
 * Type-checks every snippet (one program, one virtual file each) and returns the errors.
 * `exportedTypes` are the names the default fixture imports from this library.
 */
export function typeCheckSnippets(snippets: readonly Snippet[], exportedTypes: readonly string[]): SnippetError[] {
  const files = new Map<string, Snippet>();
  const sources = new Map<string, string>();
  snippets.forEach((snippet, i) => {
    // Virtual files live in test/ so that module resolution finds the repository's node_modules.
    const fileName = path.join(repoRoot, 'test', `__doc_snippet_${i}.ts`);
    files.set(fileName, snippet);
    sources.set(fileName, wrapInFixture(snippet.code, exportedTypes, snippet.selfContained));
  });

  const options: ts.CompilerOptions = {
    strict: true,
    noEmit: true,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.CommonJS,
    moduleResolution: ts.ModuleResolutionKind.Node10,
    esModuleInterop: true,
    skipLibCheck: true,
    types: ['node'],
    baseUrl: repoRoot,
    paths: { [PACKAGE_NAME]: ['src/index.ts'] },
  };
  const host = ts.createCompilerHost(options);
  const getSourceFile = host.getSourceFile.bind(host);
  const fileExists = host.fileExists.bind(host);
  const readFile = host.readFile.bind(host);
  host.getSourceFile = (fileName, languageVersion, ...rest) => {
    const text = sources.get(path.normalize(fileName));
    return text !== undefined
      ? ts.createSourceFile(fileName, text, languageVersion, true)
      : getSourceFile(fileName, languageVersion, ...rest);
  };
  host.fileExists = (fileName) => sources.has(path.normalize(fileName)) || fileExists(fileName);
  host.readFile = (fileName) => sources.get(path.normalize(fileName)) ?? readFile(fileName);

  const program = ts.createProgram([...sources.keys()], options, host);
  const errors: SnippetError[] = [];
  for (const [fileName, snippet] of files) {
    const sourceFile = program.getSourceFile(fileName)!;
    const diagnostics = [...program.getSyntacticDiagnostics(sourceFile), ...program.getSemanticDiagnostics(sourceFile)];
    for (const d of diagnostics) {
      const text = ts.flattenDiagnosticMessageText(d.messageText, '\n');
      const line = d.start !== undefined ? sourceFile.text.slice(0, d.start).split('\n').length - 1 : undefined;
      const code = line !== undefined ? sourceFile.text.split('\n')[line].trim() : '';
      errors.push({ origin: snippet.origin, message: `TS${d.code}: ${text}${code ? `\n    at: ${code}` : ''}` });
    }
  }
  return errors;
}

/** Wraps a snippet in the fixture described at the top of this file. */
export function wrapInFixture(code: string, exportedTypes: readonly string[], alwaysSelfContained = false): string {
  const parsed = ts.createSourceFile('snippet.ts', code, ts.ScriptTarget.ES2022, true);
  const hoisted: string[] = [];
  const body: string[] = [];
  for (const statement of parsed.statements) {
    const text = code.slice(statement.getFullStart(), statement.getEnd());
    (isModuleLevel(statement) ? hoisted : body).push(text);
  }
  const selfContained = alwaysSelfContained || parsed.statements.some(ts.isImportDeclaration);
  const defaultImports = selfContained ? [] : [
    "import * as cdk from 'aws-cdk-lib';",
    "import { App, Duration, RemovalPolicy, Stack, Tags } from 'aws-cdk-lib';",
    "import * as ec2 from 'aws-cdk-lib/aws-ec2';",
    "import * as eks from 'aws-cdk-lib/aws-eks';",
    "import * as iam from 'aws-cdk-lib/aws-iam';",
    "import * as kms from 'aws-cdk-lib/aws-kms';",
    "import { Construct } from 'constructs';",
    exportedTypes.length > 0 ? `import { ${exportedTypes.join(', ')} } from '${PACKAGE_NAME}';` : '',
  ];
  return [
    ...defaultImports,
    "import * as __fixtureCdk from 'aws-cdk-lib';",
    "import * as __fixtureConstructs from 'constructs';",
    ...hoisted,
    'export class __Fixture extends __fixtureCdk.Stack {',
    '  constructor(scope: __fixtureConstructs.Construct, id: string) {',
    '    super(scope, id);',
    ...body,
    '  }',
    '}',
  ].join('\n');
}

function isModuleLevel(statement: ts.Statement): boolean {
  if (ts.isImportDeclaration(statement) || ts.isImportEqualsDeclaration(statement) || ts.isExportDeclaration(statement)) {
    return true;
  }
  const modifiers = ts.canHaveModifiers(statement) ? ts.getModifiers(statement) ?? [] : [];
  return modifiers.some((m) => m.kind === ts.SyntaxKind.DeclareKeyword || m.kind === ts.SyntaxKind.ExportKeyword);
}
