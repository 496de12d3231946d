// What the emulated service holds: clusters, their profiles, and every profile's timeline.
//
// Time: CREATING -> ACTIVE (or CREATE_FAILED) and DELETING -> gone (or DELETE_FAILED) after the
// delays fixed when the create or delete was accepted. `advance()` applies every transition whose
// time has passed; the facade calls it on every request and every snapshot, so there are no
// timers, and the recorded transition time is the scheduled one (benchmarks measure how late a
// poller noticed). The clock is injectable, so unit tests move time by hand.
import { seededUuid } from '../prng';
import type { EmulatedProfile, HealthIssue, ProfileDelays, ProfileSelector, ProfileStatus, ProfileTimeline } from './types';

/** Used when a create omits `subnets` and the cluster was added without its own. */
export const DEFAULT_PRIVATE_SUBNETS = ['subnet-0private00000000a', 'subnet-0private00000000b'];

// arn:<partition>:eks:<region>:<account>:fargateprofile/<cluster>/<name>/<uuid> (EKS API reference, FargateProfile).
const PROFILE_ARN_PATTERN = /^arn:aws[a-z-]*:eks:([^:]+):(\d{12}):fargateprofile\/([^/]+)\/([^/]+)\/([^/]+)$/;

type MutableTimeline = { -readonly [K in keyof ProfileTimeline]: ProfileTimeline[K] };

export interface ProfileRecord {
  readonly cluster: string;
  readonly name: string;
  readonly arn: string;
  readonly createdAt: number;
  readonly roleArn: string;
  readonly subnets: string[];
  readonly selectors: ProfileSelector[];
  readonly tags: Record<string, string>;
  /** The create's parameters, to tell an idempotent replay from a token reused with others. */
  readonly fingerprint: string;
  status: ProfileStatus;
  issues: HealthIssue[];
  readonly timeline: MutableTimeline;
  createCompletesAt: number;
  /** Set by an injected fault: the create ends in CREATE_FAILED with these issues. */
  createFailure?: HealthIssue[];
  deleteCompletesAt?: number;
  deleteFailure?: HealthIssue[];
}

export interface ClusterRecord {
  readonly name: string;
  readonly arn: string;
  readonly createdAt: number;
  readonly privateSubnets: string[];
  readonly profiles: Map<string, ProfileRecord>;
  /** clientRequestToken -> the profile that token created (remembered while that profile exists). */
  readonly tokens: Map<string, ProfileRecord>;
  /** Set by a test: "currently has an update in progress". */
  updating: boolean;
}

/** A new profile, as CreateFargateProfile accepted it. */
export interface NewProfile {
  readonly name: string;
  readonly roleArn: string;
  readonly subnets: string[];
  readonly selectors: ProfileSelector[];
  readonly tags: Record<string, string>;
  readonly fingerprint: string;
  readonly createDelayMs: number;
  readonly createFailure?: HealthIssue[];
}

export class EmulatorState {
  public readonly clusters = new Map<string, ClusterRecord>();
  /** Subnets a create may not name (they route to an internet gateway). */
  public readonly publicSubnets = new Set<string>();
  private readonly delays = new Map<string, ProfileDelays>();
  private readonly history: MutableTimeline[] = [];

  constructor(
    public readonly region: string,
    public readonly accountId: string,
    public readonly clock: () => number,
    private readonly idRandom: () => number,
  ) {}

  public addCluster(name: string, privateSubnets: readonly string[]): void {
    if (this.clusters.has(name)) {
      throw new Error(`EksEmulator.addCluster: cluster '${name}' already exists`);
    }
    this.clusters.set(name, {
      name,
      arn: `arn:aws:eks:${this.region}:${this.accountId}:cluster/${name}`,
      createdAt: this.clock(),
      privateSubnets: [...privateSubnets],
      profiles: new Map(),
      tokens: new Map(),
      updating: false,
    });
  }

  /** The cluster a test-facing method names; a clear error if the test forgot addCluster. */
  public requireCluster(method: string, name: string): ClusterRecord {
    const cluster = this.clusters.get(name);
    if (!cluster) throw new Error(`EksEmulator.${method}: unknown cluster '${name}' (call addCluster first)`);
    return cluster;
  }

  public setProfileDelays(profileName: string, delays: ProfileDelays): void {
    if (delays.createDelayMs !== undefined) nonNegative('createDelayMs', delays.createDelayMs);
    if (delays.deleteDelayMs !== undefined) nonNegative('deleteDelayMs', delays.deleteDelayMs);
    this.delays.set(profileName, { ...this.delays.get(profileName), ...delays });
  }

  /** The delay for a profile name: its own override, else the emulator-wide default. */
  public delayFor(profileName: string, kind: keyof ProfileDelays, fallback: number): number {
    return this.delays.get(profileName)?.[kind] ?? fallback;
  }

  /** Adds a CREATING profile and starts a new timeline for it. */
  public addProfile(cluster: ClusterRecord, spec: NewProfile, token: string | undefined): ProfileRecord {
    const now = this.clock();
    const arn = `arn:aws:eks:${this.region}:${this.accountId}:fargateprofile/${cluster.name}/${spec.name}/${seededUuid(this.idRandom)}`;
    const timeline: MutableTimeline = { cluster: cluster.name, name: spec.name, arn, createRequestedAt: now };
    this.history.push(timeline);
    const profile: ProfileRecord = {
      cluster: cluster.name,
      name: spec.name,
      arn,
      createdAt: now,
      roleArn: spec.roleArn,
      subnets: spec.subnets,
      selectors: spec.selectors,
      tags: spec.tags,
      fingerprint: spec.fingerprint,
      status: 'CREATING',
      issues: [],
      timeline,
      createCompletesAt: now + spec.createDelayMs,
      createFailure: spec.createFailure,
    };
    cluster.profiles.set(spec.name, profile);
    if (token !== undefined) cluster.tokens.set(token, profile);
    return profile;
  }

  /** Puts a profile in DELETING; it goes away (or fails) `delayMs` from now. */
  public startDeleting(profile: ProfileRecord, delayMs: number, failure: HealthIssue[] | undefined): void {
    const now = this.clock();
    profile.status = 'DELETING';
    profile.issues = [];
    profile.timeline.deleteRequestedAt = now;
    profile.deleteCompletesAt = now + delayMs;
    profile.deleteFailure = failure;
  }

  /** Applies every status transition whose scheduled time has passed. */
  public advance(): void {
    const now = this.clock();
    for (const cluster of this.clusters.values()) {
      for (const profile of [...cluster.profiles.values()]) {
        if (profile.status === 'CREATING' && now >= profile.createCompletesAt) {
          if (profile.createFailure) {
            profile.status = 'CREATE_FAILED';
            profile.issues = profile.createFailure;
            profile.timeline.createFailedAt = profile.createCompletesAt;
          } else {
            profile.status = 'ACTIVE';
            profile.timeline.activeAt = profile.createCompletesAt;
          }
        }
        if (profile.status === 'DELETING' && now >= profile.deleteCompletesAt!) {
          if (profile.deleteFailure) {
            profile.status = 'DELETE_FAILED';
            profile.issues = profile.deleteFailure;
            profile.timeline.deleteFailedAt = profile.deleteCompletesAt;
          } else {
            profile.timeline.goneAt = profile.deleteCompletesAt;
            cluster.profiles.delete(profile.name);
          }
        }
      }
    }
  }

  /** The cluster and all its profiles vanish now. */
  public deleteClusterOutOfBand(name: string): void {
    const cluster = this.requireCluster('deleteClusterOutOfBand', name);
    this.advance();
    for (const profile of cluster.profiles.values()) this.markGoneOutOfBand(profile);
    this.clusters.delete(name);
  }

  /** The profile vanishes now, whatever its status. */
  public deleteProfileOutOfBand(clusterName: string, profileName: string): void {
    const cluster = this.requireCluster('deleteProfileOutOfBand', clusterName);
    this.advance();
    const profile = cluster.profiles.get(profileName);
    if (!profile) {
      throw new Error(`EksEmulator.deleteProfileOutOfBand: no profile '${profileName}' in cluster '${clusterName}'`);
    }
    this.markGoneOutOfBand(profile);
    cluster.profiles.delete(profileName);
  }

  public describe(cluster: string, profileName: string): EmulatedProfile | undefined {
    this.advance();
    const profile = this.clusters.get(cluster)?.profiles.get(profileName);
    return profile ? snapshot(profile) : undefined;
  }

  public profiles(cluster: string): EmulatedProfile[] {
    this.advance();
    return [...(this.clusters.get(cluster)?.profiles.values() ?? [])].map(snapshot);
  }

  /** Timeline of the latest incarnation of this profile (profiles can be re-created by name). */
  public timeline(cluster: string, profileName: string): ProfileTimeline | undefined {
    this.advance();
    const all = this.history.filter((t) => t.cluster === cluster && t.name === profileName);
    return all.length > 0 ? { ...all[all.length - 1] } : undefined;
  }

  public timelines(): ProfileTimeline[] {
    this.advance();
    return this.history.map((t) => ({ ...t }));
  }

  private markGoneOutOfBand(profile: ProfileRecord): void {
    profile.timeline.goneAt = this.clock();
    profile.timeline.deletedOutOfBand = true;
  }
}

/** The first profile of the cluster in one of these statuses. */
export function inStatus(cluster: ClusterRecord, statuses: readonly ProfileStatus[]): ProfileRecord | undefined {
  return [...cluster.profiles.values()].find((p) => statuses.includes(p.status));
}

/** A copy of the profile that callers may change freely. */
export function snapshot(profile: ProfileRecord): EmulatedProfile {
  return {
    fargateProfileName: profile.name,
    fargateProfileArn: profile.arn,
    clusterName: profile.cluster,
    createdAt: new Date(profile.createdAt),
    podExecutionRoleArn: profile.roleArn,
    subnets: [...profile.subnets],
    selectors: profile.selectors.map((s) => ({ ...s, ...(s.labels ? { labels: { ...s.labels } } : {}) })),
    status: profile.status,
    tags: { ...profile.tags },
    health: { issues: profile.issues.map((i) => ({ ...i, ...(i.resourceIds ? { resourceIds: [...i.resourceIds] } : {}) })) },
  };
}

/** Cluster and profile name of a Fargate profile ARN, or undefined for any other string. */
export function parseProfileArn(arn: string): { readonly cluster: string; readonly name: string } | undefined {
  const match = PROFILE_ARN_PATTERN.exec(arn);
  return match ? { cluster: match[3], name: match[4] } : undefined;
}

/** Checks a delay given by a test: a finite number of ms, at least 0. */
export function nonNegative(name: string, value: number): number {
  if (!Number.isFinite(value) || value < 0) {
    throw new Error(`EksEmulator: ${name} must be a finite number >= 0 (ms); got ${value}`);
  }
  return value;
}
