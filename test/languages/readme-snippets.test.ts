// The README's Python, Java and Go usage blocks are the code the language apps run (`npx projen
// test:languages`): each must equal the region between `README:begin` and `README:end` of that language's
// test, and every import the block shows must be one the test file makes. (The C# block is untested: no .NET
// SDK on the project's machines.)
import { readFileSync } from 'node:fs';
import * as path from 'node:path';

const root = path.join(__dirname, '..', '..');
const readme = readFileSync(path.join(root, 'README.md'), 'utf-8');

function fencedBlocks(markdown: string, language: string): string[] {
  const blocks: string[] = [];
  const pattern = new RegExp(`^\`\`\`${language}\\n([\\s\\S]*?)^\`\`\`$`, 'gm');
  for (let match = pattern.exec(markdown); match; match = pattern.exec(markdown)) blocks.push(match[1]);
  return blocks;
}

function dedent(lines: string[]): string[] {
  const indents = lines.filter((l) => l.trim()).map((l) => /^\s*/.exec(l)![0].length);
  const common = Math.min(...indents);
  return lines.map((l) => l.slice(common));
}

function region(source: string): string {
  const lines = source.split('\n');
  const begin = lines.findIndex((l) => l.trim().endsWith('README:begin'));
  const end = lines.findIndex((l) => l.trim().endsWith('README:end'));
  if (begin < 0 || end <= begin) throw new Error('no README:begin/README:end region');
  return dedent(lines.slice(begin + 1, end)).join('\n').trim();
}

interface Language {
  readonly fence: string;
  readonly test: string;
  /** Splits a README block into the imports it shows and the code the test region must equal. */
  readonly split: (block: string) => { imports: string[]; code: string };
  /** How the test file spells an import. */
  readonly imported: (name: string) => string;
}

const languages: Language[] = [
  {
    fence: 'python',
    test: 'test/languages/python/test_reference_stacks.py',
    split: (block) => ({ imports: [], code: block.trim() }), // Python imports are part of the region
    imported: (name) => name,
  },
  {
    fence: 'java',
    test: 'test/languages/java/src/test/java/com/example/fargate/ReferenceStacksTest.java',
    split: (block) => {
      const lines = block.split('\n');
      return {
        imports: lines.filter((l) => l.startsWith('import ')),
        code: lines.filter((l) => !l.startsWith('import ')).join('\n').trim(),
      };
    },
    imported: (line) => `\n${line}\n`,
  },
  {
    fence: 'go',
    test: 'test/languages/go/stacks_test.go',
    split: (block) => {
      const imports = /^import \(\n([\s\S]*?)^\)\n/m.exec(block);
      return {
        imports: imports ? imports[1].split('\n').map((l) => l.trim()).filter(Boolean) : [],
        code: block.replace(/^import \(\n[\s\S]*?^\)\n/m, '').trim(),
      };
    },
    imported: (spec) => `\t${spec}\n`,
  },
];

describe.each(languages)('README $fence block', (language) => {
  const source = readFileSync(path.join(root, language.test), 'utf-8');
  const blocks = fencedBlocks(readme, language.fence);

  test('is the code the language test runs', () => {
    expect(blocks).toHaveLength(1);
    expect(language.split(blocks[0]).code).toBe(region(source));
  });

  test('imports only what the language test imports', () => {
    const { imports } = language.split(blocks[0]);
    const missing = imports.filter((i) => !source.includes(language.imported(i)));
    expect(missing).toEqual([]);
  });
});

test('the region extraction finds a changed snippet', () => {
  const source = 'x\n    # README:begin\n    a = 1\n    # README:end\n';
  expect(region(source)).toBe('a = 1');
  expect(region(source)).not.toBe('a = 2');
});
