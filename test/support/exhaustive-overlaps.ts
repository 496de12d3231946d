// The exhaustive overlap search the scheduling warnings used before src/profile-overlaps.ts:
// every selector of every earlier profile against every selector of every later one, with the
// un-memoised `commonPod`. Kept as the reference the indexed search is checked against.
import type { FargateProfileSelector } from '../../src';
import { FargateScheduling } from '../../src';
import type { ProfileOverlap } from '../../src/profile-overlaps';
import { commonPod } from '../../src/selector-matching';

export function exhaustiveOverlaps(profiles: ReadonlyArray<readonly FargateProfileSelector[]>): ProfileOverlap[] {
  const overlaps: ProfileOverlap[] = [];
  profiles.forEach((laterSelectors, later) => {
    for (let earlier = 0; earlier < later; earlier++) {
      const pod = firstUnpinnedCommonPod(profiles[earlier], laterSelectors);
      if (pod) overlaps.push({ earlier, later, pod });
    }
  });
  return overlaps;
}

function firstUnpinnedCommonPod(a: readonly FargateProfileSelector[], b: readonly FargateProfileSelector[]) {
  for (const selectorA of a) {
    for (const selectorB of b) {
      const pod = commonPod(selectorA, selectorB);
      if (pod !== undefined && pod.labels?.[FargateScheduling.PROFILE_LABEL] === undefined) return pod;
    }
  }
  return undefined;
}
