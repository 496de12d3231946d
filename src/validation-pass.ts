// Work that the synth-time validations of many constructs share, done once per validation pass.
// Every profile validates its pod execution role against the whole app (node groups anywhere in
// the tree); profiles sharing a role would each walk the tree again: quadratic in the profiles.
//
// A pass is CDK's validateTree of one Stage: it runs every construct's validations, pre-order
// from the Stage, so a validation on the Stage itself runs first and starts a fresh memo. The
// memo is also dropped once the synchronous run that filled it is over, so a later
// `node.validate()` outside synthesis never sees the tree as it was.
import { Stage } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

const memos = new WeakMap<IConstruct, Map<object, unknown>>();
const hooked = new WeakSet<IConstruct>();

/**
 * `compute()`, or what it returned earlier in the same validation pass of `construct`'s Stage
 * for the same `key`. Only for answers that depend on nothing but the key and the construct tree.
 */
export function oncePerValidationPass<T>(construct: IConstruct, key: object, compute: () => T): T {
  const stage = Stage.of(construct) ?? construct.node.root;
  if (!hooked.has(stage)) {
    hooked.add(stage);
    stage.node.addValidation({ validate: () => { memos.delete(stage); return []; } });
  }
  let memo = memos.get(stage);
  if (memo === undefined) {
    memos.set(stage, memo = new Map());
    queueMicrotask(() => { if (memos.get(stage) === memo) memos.delete(stage); });
  }
  if (!memo.has(key)) memo.set(key, compute());
  return memo.get(key) as T;
}
