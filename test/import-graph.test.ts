// No import cycles in src/ or lambda/, type-only imports included. eslint's import/no-cycle
// (enabled in .projenrc.ts) ignores `import type`, which is how the old cycles through
// FargateProfileProps were written, so this test reads every import itself.
import * as fs from 'fs';
import * as path from 'path';
import * as ts from 'typescript';

const ROOT = path.join(__dirname, '..');

/** Every relative import of every .ts file below the folders, as repository-relative paths. */
function importGraph(folders: string[]): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const folder of folders) {
    for (const file of fs.readdirSync(path.join(ROOT, folder), { recursive: true }) as string[]) {
      if (!file.endsWith('.ts') || file.endsWith('.d.ts')) continue;
      const from = path.join(folder, file);
      const text = fs.readFileSync(path.join(ROOT, from), 'utf8');
      const imports = ts.preProcessFile(text, true, true).importedFiles
        .map((ref) => ref.fileName)
        .filter((name) => name.startsWith('.'))
        .map((name) => path.normalize(path.join(path.dirname(from), name)) + '.ts')
        .filter((target) => fs.existsSync(path.join(ROOT, target)));
      graph.set(from, imports);
    }
  }
  return graph;
}

/** The first cycle found, as the files along it, or undefined. */
function findCycle(graph: Map<string, string[]>): string[] | undefined {
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (file: string): string[] | undefined => {
    if (state.get(file) === 'done') return undefined;
    if (state.get(file) === 'open') return [...stack.slice(stack.indexOf(file)), file];
    state.set(file, 'open');
    stack.push(file);
    for (const next of graph.get(file) ?? []) {
      const cycle = visit(next);
      if (cycle) return cycle;
    }
    stack.pop();
    state.set(file, 'done');
    return undefined;
  };
  for (const file of graph.keys()) {
    const cycle = visit(file);
    if (cycle) return cycle;
  }
  return undefined;
}

test('src/ and lambda/ have no import cycle, counting type-only imports', () => {
  const graph = importGraph(['src', 'lambda']);
  expect(graph.size).toBeGreaterThan(20);
  expect(findCycle(graph)).toBeUndefined();
});

test('the cycle check finds a type-only cycle', () => {
  const graph = new Map([
    ['src/a.ts', ['src/b.ts']],
    ['src/b.ts', ['src/c.ts']],
    ['src/c.ts', ['src/a.ts']],
    ['src/d.ts', []],
  ]);
  expect(findCycle(graph)).toEqual(['src/a.ts', 'src/b.ts', 'src/c.ts', 'src/a.ts']);
  expect(findCycle(new Map([['src/a.ts', ['src/b.ts']], ['src/b.ts', []]]))).toBeUndefined();
});

test('the graph reads type-only imports', () => {
  const graph = importGraph(['src']);
  // selector-matching.ts imports FargateProfileSelector with `import type`.
  expect(graph.get(path.join('src', 'selector-matching.ts'))).toContain(path.join('src', 'fargate-profile-props.ts'));
});
