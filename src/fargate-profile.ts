import { Construct } from 'constructs';

/** Placeholder; replaced by the real construct. */
export class FargateProfile extends Construct {}
