import * as pulumi from "@pulumi/pulumi";

import { WEBHOOK_KINDS, WebhookKind } from "../lib/config/alerts";
import { IDENTIFIER_PATTERN, QUALIFIED_NAME_PATTERN } from "../lib/sql/identifier";
import { ident, literal } from "../lib/sql/render";
import {
    BindHistoryGuard, bindHistoryGuard, checkBindHistoryGuard, ensureBindHistoryClosed, runBoundSecretStatement,
} from "./bindHistory";
import { Session } from "./connection";
import { notificationIntegrationExists, notificationIntegrationStatements } from "./notificationIntegration";
import { CheckFailure, checkRoleSwitches, checkStatement, dropIfPresent, ResourceKind, snowflakeProvider } from "./resource";
import { providerStatement, roleSwitches, Statement } from "./statements";

/**
 * A webhook notification integration (Slack, Microsoft Teams or PagerDuty) and the Snowflake
 * secret holding its credential. `@pulumi/snowflake` has no webhook integration, so this
 * resource creates both with SQL:
 *
 * - as the owner role: `CREATE SECRET ... TYPE = GENERIC_STRING SECRET_STRING = ?`, the credential
 *   bound at run time (so the owner owns the secret and may READ it when sending), and only after
 *   the admin role has read that the account keeps bind values unreadable (bindHistory.ts);
 * - as the admin role (CREATE INTEGRATION is an account privilege): the integration naming the
 *   secret, with SNOWFLAKE_WEBHOOK_SECRET where the credential goes, and USAGE for the owner role.
 *
 * The credential is an input only as a Pulumi secret (`webhookSecret`): bound, redacted from
 * messages, and kept in the outputs as a salted fingerprint (see resource.ts).
 */

export interface WebhookSecretObject {
    /** `DATABASE.SCHEMA.NAME`. */
    readonly name: string;
    readonly create: Statement;
    readonly alter: Statement;
    /** USAGE for the admin role, which names the secret when it creates the integration. */
    readonly grantUsage: Statement;
    readonly drop: Statement;
}

export interface WebhookIntegrationObject {
    readonly name: string;
    readonly kind: WebhookKind;
    /** The URL with SNOWFLAKE_WEBHOOK_SECRET for the credential; safe to show. */
    readonly url: string;
    readonly create: Statement;
    readonly grantUsage: Statement;
    readonly show: Statement;
    readonly drop: Statement;
}

export interface WebhookIntegrationInputs {
    readonly ownerRole: string;
    readonly adminRole: string;
    readonly useOwnerRole: Statement;
    readonly useAdminRole: Statement;
    readonly secret: WebhookSecretObject;
    readonly integration: WebhookIntegrationObject;
    /** Checked before the credential is bound to CREATE or ALTER SECRET. */
    readonly bindHistory: BindHistoryGuard;
    /** The credential; a Pulumi secret. */
    readonly webhookSecret?: string;
}

export type WebhookIntegrationOutputs = WebhookIntegrationInputs;

/**
 * Request bodies. SNOWFLAKE_WEBHOOK_MESSAGE is the message, SNOWFLAKE_WEBHOOK_SECRET the
 * credential. (`} }` rather than `}}`: the SQL renderer reserves double braces.)
 */
export const WEBHOOK_BODY_TEMPLATES: Readonly<Record<WebhookKind, string>> = {
    slack: '{"text": "SNOWFLAKE_WEBHOOK_MESSAGE"}',
    teams: '{"type": "message", "attachments": [{"contentType": "application/vnd.microsoft.card.adaptive", "content": ' +
        '{"type": "AdaptiveCard", "version": "1.4", "body": [{"type": "TextBlock", "wrap": true, "text": "SNOWFLAKE_WEBHOOK_MESSAGE"} ]} }]}',
    pagerduty: '{"routing_key": "SNOWFLAKE_WEBHOOK_SECRET", "event_action": "trigger", "payload": ' +
        '{"summary": "SNOWFLAKE_WEBHOOK_MESSAGE", "source": "Wallmonitor", "severity": "critical"} }',
};

/** The hosts Snowflake sends webhooks to, per kind, as the URL must start. */
const URL_PREFIXES: Readonly<Record<WebhookKind, RegExp>> = {
    slack: /^https:\/\/hooks\.slack\.com\/services\/SNOWFLAKE_WEBHOOK_SECRET$/,
    teams: /^https:\/\/[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.environment\.api\.powerplatform\.com\/powerautomate\/automations\/direct\/workflows\/SNOWFLAKE_WEBHOOK_SECRET$/,
    pagerduty: /^https:\/\/events\.pagerduty\.com\/v2\/enqueue$/,
};

export interface WebhookIntegrationSettings {
    readonly database: string;
    readonly schema: string;
    readonly ownerRole: string;
    readonly adminRole: string;
    readonly comment: string;
    readonly integrationName: string;
    readonly secretName: string;
    readonly kind: WebhookKind;
    /** From lib/alertConfig.ts webhookTarget(): the URL without its credential. */
    readonly url: string;
    /** wallmonitor:acceptReadableBindValues; without it, readable bind history refuses the secret. */
    readonly acceptReadableBindValues?: boolean;
}

/** Renders every statement of the resource (program side). The credential is not an argument. */
export function webhookIntegrationInputs(args: WebhookIntegrationSettings): Omit<WebhookIntegrationInputs, "webhookSecret"> {
    const secret = ident(args.database, args.schema, args.secretName);
    const integration = ident(args.integrationName);
    const comment = literal(args.comment);
    return {
        ...roleSwitches(args.ownerRole, args.adminRole),
        secret: {
            name: secret.identifier,
            create: providerStatement("alerts/create_webhook_secret", { SECRET: secret, COMMENT: comment }),
            alter: providerStatement("alerts/alter_webhook_secret", { SECRET: secret }),
            grantUsage: providerStatement("alerts/grant_webhook_secret_usage", { SECRET: secret, ROLE: ident(args.adminRole) }),
            drop: providerStatement("alerts/drop_webhook_secret", { SECRET: secret }),
        },
        integration: {
            name: integration.identifier,
            kind: args.kind,
            url: args.url,
            create: providerStatement("alerts/create_webhook_integration", {
                INTEGRATION: integration, URL: literal(args.url), SECRET: secret,
                BODY_TEMPLATE: literal(WEBHOOK_BODY_TEMPLATES[args.kind]), COMMENT: comment,
            }),
            ...notificationIntegrationStatements(args.integrationName, args.ownerRole),
        },
        bindHistory: bindHistoryGuard(args.acceptReadableBindValues ?? false),
    };
}

/** Every statement the inputs hold, for tests and plans. */
export function webhookIntegrationStatements(inputs: Omit<WebhookIntegrationInputs, "webhookSecret">): Statement[] {
    const { secret, integration } = inputs;
    return [inputs.useOwnerRole, inputs.useAdminRole, inputs.bindHistory.check, secret.create, secret.alter, secret.grantUsage, secret.drop,
        integration.create, integration.grantUsage, integration.show, integration.drop];
}

function checkInputs(news: Readonly<Record<string, unknown>>): CheckFailure[] {
    const failures = checkRoleSwitches(news);
    const secret = (news.secret ?? {}) as Partial<WebhookSecretObject>;
    if (typeof secret.name !== "string" || !QUALIFIED_NAME_PATTERN.test(secret.name)) {
        failures.push({ property: "secret", reason: "must name the secret as DATABASE.SCHEMA.NAME; render it with webhookIntegrationInputs()." });
    }
    for (const key of ["create", "alter", "grantUsage", "drop"] as const) {
        failures.push(...checkStatement("secret", secret[key]));
    }
    const integration = (news.integration ?? {}) as Partial<WebhookIntegrationObject>;
    if (typeof integration.name !== "string" || !IDENTIFIER_PATTERN.test(integration.name)) {
        failures.push({ property: "integration", reason: `${JSON.stringify(integration.name)} is not an unquoted UPPERCASE identifier.` });
    }
    const kind = integration.kind as WebhookKind;
    if (!(WEBHOOK_KINDS as readonly string[]).includes(String(kind))) {
        failures.push({ property: "integration", reason: `kind ${JSON.stringify(kind)} is not one of ${WEBHOOK_KINDS.join(", ")}.` });
    } else if (typeof integration.url !== "string" || !URL_PREFIXES[kind].test(integration.url)) {
        // The URL is not repeated: a misrendered one could hold the credential.
        failures.push({ property: "integration", reason: `the URL is not a ${kind} webhook URL Snowflake ` +
            "accepts (hooks.slack.com/services, a Teams workflow on environment.api.powerplatform.com, or events.pagerduty.com/v2/enqueue, " +
            "with SNOWFLAKE_WEBHOOK_SECRET for the credential); render it with lib/alertConfig.ts webhookTarget()." });
    }
    for (const key of ["create", "grantUsage", "show", "drop"] as const) {
        failures.push(...checkStatement("integration", integration[key]));
    }
    failures.push(...checkBindHistoryGuard("bindHistory", news.bindHistory));
    const credential = news.webhookSecret;
    if (typeof credential !== "string" || credential === "") {
        failures.push({ property: "webhookSecret", reason: "the webhook needs its credential: set the config key its " +
            "wallmonitor:alertWebhooks entry names with `pulumi config set --secret`." });
    } else if (credential.length >= 8) {
        const { webhookSecret: _credential, ...rest } = news;
        if (JSON.stringify(rest).includes(credential)) {
            failures.push({ property: "webhookSecret", reason: "the credential appears in the resource's other inputs (a URL or " +
                "statement text); it may only be bound at run time." });
        }
    }
    return failures;
}

/** What the stack can do if this account refuses the credential as a bind. */
const WITHOUT_WEBHOOK_SECRET = "remove this webhook from wallmonitor:alertWebhooks and alert by email " +
    "(wallmonitor:alertEmailRecipients), which needs no secret.";

/** CREATE or ALTER SECRET (`statement`) with the credential bound, once bind history is known to be closed. */
async function writeSecret(session: Session, inputs: WebhookIntegrationInputs, statement: Statement): Promise<void> {
    await ensureBindHistoryClosed(session, inputs.bindHistory, inputs.secret.name,
        { to: inputs.useAdminRole, back: inputs.useOwnerRole });
    await runBoundSecretStatement(session, statement, inputs.webhookSecret ?? "", WITHOUT_WEBHOOK_SECRET);
}

/** As the admin role: the integration and the owner's USAGE; leaves the session as the owner role. */
async function createIntegration(session: Parameters<ResourceKind<WebhookIntegrationInputs, WebhookIntegrationOutputs>["create"]>[0],
                                 inputs: WebhookIntegrationInputs, onCreated?: () => void): Promise<void> {
    await session.run(inputs.useAdminRole);
    await session.run(inputs.integration.create);
    onCreated?.();
    await session.run(inputs.integration.grantUsage);
    await session.run(inputs.useOwnerRole);
}

export const webhookIntegrationKind: ResourceKind<WebhookIntegrationInputs, WebhookIntegrationOutputs> = {
    description: "the webhook notification integration",
    properties: {
        // The secret belongs to the owner role: another role is another object.
        ownerRole: "replace",
        adminRole: "none",
        useOwnerRole: "none",
        useAdminRole: "none",
        secret: "update",
        integration: "update",
        // How the credential may be written, not what is deployed: the next CREATE or ALTER SECRET reads it.
        bindHistory: "none",
        webhookSecret: "update",
    },
    secretInputs: ["webhookSecret"],
    check: checkInputs,
    session: (inputs) => ({ role: inputs.ownerRole, secrets: inputs.webhookSecret === undefined ? [] : [inputs.webhookSecret] }),

    async create(session, inputs, cleanup) {
        await writeSecret(session, inputs, inputs.secret.create);
        cleanup.onFailure(inputs.secret.drop);
        await session.run(inputs.secret.grantUsage);
        cleanup.onFailure(inputs.useOwnerRole);
        await createIntegration(session, inputs, () => {
            cleanup.onFailure(inputs.integration.drop);
            cleanup.onFailure(inputs.useAdminRole);
        });
        return { id: inputs.integration.name, outs: inputs };
    },

    async read(session, _id, state) {
        return await notificationIntegrationExists(session, state.integration.show) ? state : undefined;
    },

    async update(session, _id, olds, news, changed) {
        const secretReplaced = olds.secret.name !== news.secret.name;
        if (secretReplaced) {
            await writeSecret(session, news, news.secret.create);
        } else if (changed.includes("webhookSecret") || changed.includes("secret")) {
            await writeSecret(session, news, news.secret.alter);
        }
        if (secretReplaced || changed.includes("secret")) {
            // A new secret, or another admin role: the role creating the integration needs USAGE on it.
            await session.run(news.secret.grantUsage);
        }
        if (secretReplaced || changed.includes("integration")) {
            await createIntegration(session, news);
            if (olds.integration.name !== news.integration.name) {
                await session.run(news.useAdminRole);
                await dropIfPresent(session, olds.integration.drop);
                await session.run(news.useOwnerRole);
            }
        }
        if (secretReplaced) {
            await dropIfPresent(session, olds.secret.drop);
        }
        return news;
    },

    async delete(session, _id, state) {
        await session.run(state.useAdminRole);
        await dropIfPresent(session, state.integration.drop);
        await session.run(state.useOwnerRole);
        await dropIfPresent(session, state.secret.drop);
    },
};

const provider = snowflakeProvider(webhookIntegrationKind);

export type WebhookIntegrationArgs = { readonly [K in keyof WebhookIntegrationInputs]: pulumi.Input<WebhookIntegrationInputs[K]> };

/** See the module comment; build its args with webhookIntegrationInputs() and pass the credential as a Pulumi secret. */
export class WebhookIntegration extends pulumi.dynamic.Resource {
    declare readonly integration: pulumi.Output<WebhookIntegrationObject>;

    constructor(name: string, args: WebhookIntegrationArgs, opts?: pulumi.CustomResourceOptions) {
        // The integration's name is account-wide and fixed: a replacement drops the old one first.
        super(provider, name, { ...args, webhookSecretFingerprint: undefined },
            { deleteBeforeReplace: true, ...opts }, "wallmonitor", "WebhookIntegration");
    }
}
