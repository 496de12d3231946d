// API.md is generated from the jsii assembly, so the assembly's docs are the API reference.
// Every public type and property must be documented, and every optional property of a props
// interface must say what happens when it is omitted (`@default`).
import { readFileSync } from 'node:fs';
import * as path from 'node:path';

interface Docs {
  readonly summary?: string;
  readonly default?: string;
}
interface Property {
  readonly name: string;
  readonly optional?: boolean;
  readonly docs?: Docs;
}
interface JsiiType {
  readonly fqn: string;
  readonly kind: 'class' | 'interface' | 'enum';
  readonly docs?: Docs;
  readonly properties?: Property[];
}

const assembly = JSON.parse(readFileSync(path.join(__dirname, '..', '..', '.jsii'), 'utf-8')) as {
  types?: Record<string, JsiiType>;
};
const types = Object.values(assembly.types ?? {});

test('every public type has a summary', () => {
  expect(types.length).toBeGreaterThan(0); // a stale or empty .jsii would make every check vacuous
  expect(types.filter((t) => !t.docs?.summary?.trim()).map((t) => t.fqn)).toEqual([]);
});

test('every public property has a summary', () => {
  const undocumented = types.flatMap((t) =>
    (t.properties ?? []).filter((p) => !p.docs?.summary?.trim()).map((p) => `${t.fqn}.${p.name}`));
  expect(undocumented).toEqual([]);
});

test('every optional property of every public interface has a @default', () => {
  const interfaces = types.filter((t) => t.kind === 'interface');
  const missing = interfaces.flatMap((t) =>
    (t.properties ?? []).filter((p) => p.optional && !p.docs?.default?.trim()).map((p) => `${t.fqn}.${p.name}`));
  expect(missing).toEqual([]);
});
