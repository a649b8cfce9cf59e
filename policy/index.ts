import { PolicyPack } from "@pulumi/policy";

import { PACK_ARGS, PACK_NAME } from "./pack";

/**
 * Wallmonitor's CrossGuard policy pack: `pulumi preview --policy-pack policy`. Every rule is
 * mandatory; the rules themselves are plain functions in rules.ts, which the offline plan runs too.
 * A stack whose viewer role is not the default passes it with `--policy-pack-config`
 * (see policy/config.<stack>.json).
 */
new PolicyPack(PACK_NAME, PACK_ARGS);
