import * as pulumi from "@pulumi/pulumi";

import { EMAIL_PATTERN } from "../lib/config/alerts";
import { IDENTIFIER_PATTERN } from "../lib/sql/identifier";
import { ident, literal } from "../lib/sql/render";
import { notificationIntegrationExists, notificationIntegrationStatements } from "./notificationIntegration";
import { CheckFailure, checkRoleSwitches, checkStatement, dropIfPresent, ResourceKind, snowflakeProvider } from "./resource";
import { providerStatement, roleSwitches, Statement } from "./statements";

/**
 * The email notification integration alerts are sent through, with its allowed recipients, and
 * USAGE on it for the owner role (which runs EVALUATE_ALERTS). `@pulumi/snowflake` has it only
 * as a preview resource; like the webhooks, it is created here with SQL as the admin role.
 */

export interface EmailIntegrationInputs {
    readonly ownerRole: string;
    readonly adminRole: string;
    readonly useOwnerRole: Statement;
    readonly useAdminRole: Statement;
    readonly name: string;
    readonly recipients: readonly string[];
    readonly create: Statement;
    readonly alterRecipients: Statement;
    readonly grantUsage: Statement;
    readonly show: Statement;
    readonly drop: Statement;
}

export type EmailIntegrationOutputs = EmailIntegrationInputs;

export interface EmailIntegrationSettings {
    readonly ownerRole: string;
    readonly adminRole: string;
    readonly comment: string;
    readonly integrationName: string;
    readonly recipients: readonly string[];
}

export function emailIntegrationInputs(args: EmailIntegrationSettings): EmailIntegrationInputs {
    const integration = ident(args.integrationName);
    const recipients = { list: args.recipients.map((address) => literal(address)) };
    return {
        ...roleSwitches(args.ownerRole, args.adminRole),
        name: args.integrationName,
        recipients: [...args.recipients],
        create: providerStatement("alerts/create_email_integration", {
            INTEGRATION: integration, RECIPIENTS: recipients, COMMENT: literal(args.comment),
        }),
        alterRecipients: providerStatement("alerts/alter_email_recipients", { INTEGRATION: integration, RECIPIENTS: recipients }),
        ...notificationIntegrationStatements(args.integrationName, args.ownerRole),
    };
}

export function emailIntegrationStatements(inputs: EmailIntegrationInputs): Statement[] {
    return [inputs.useOwnerRole, inputs.useAdminRole, inputs.create, inputs.alterRecipients, inputs.grantUsage, inputs.show, inputs.drop];
}

function checkInputs(news: Readonly<Record<string, unknown>>): CheckFailure[] {
    const failures = checkRoleSwitches(news);
    if (typeof news.name !== "string" || !IDENTIFIER_PATTERN.test(news.name)) {
        failures.push({ property: "name", reason: `${JSON.stringify(news.name)} is not an unquoted UPPERCASE identifier.` });
    }
    const recipients = news.recipients;
    if (!Array.isArray(recipients) || recipients.length === 0 || recipients.some((address) => !EMAIL_PATTERN.test(String(address)))) {
        failures.push({ property: "recipients", reason: "must be one or more email addresses (wallmonitor:alertEmailRecipients), " +
            "each the verified email of a user in the account." });
    }
    for (const key of ["create", "alterRecipients", "grantUsage", "show", "drop"] as const) {
        failures.push(...checkStatement(key, news[key]));
    }
    return failures;
}

export const emailIntegrationKind: ResourceKind<EmailIntegrationInputs, EmailIntegrationOutputs> = {
    description: "the email notification integration",
    properties: {
        ownerRole: "update",
        adminRole: "none",
        useOwnerRole: "none",
        useAdminRole: "none",
        // Account-wide and fixed: another name is another integration.
        name: "replace",
        recipients: "update",
        create: "update",
        alterRecipients: "none",
        grantUsage: "update",
        show: "none",
        drop: "none",
    },
    check: checkInputs,
    session: (inputs) => ({ role: inputs.ownerRole }),

    async create(session, inputs, cleanup) {
        await session.run(inputs.useAdminRole);
        await session.run(inputs.create);
        cleanup.onFailure(inputs.drop);
        cleanup.onFailure(inputs.useAdminRole);
        await session.run(inputs.grantUsage);
        await session.run(inputs.useOwnerRole);
        return { id: inputs.name, outs: inputs };
    },

    async read(session, _id, state) {
        return await notificationIntegrationExists(session, state.show) ? state : undefined;
    },

    async update(session, _id, olds, news, changed) {
        await session.run(news.useAdminRole);
        // Only the recipients changed (the create statement differs in its ALLOWED_RECIPIENTS line
        // alone): alter in place, so the integration is never briefly gone.
        const withoutRecipients = (statement: Statement) => statement.text.replace(/^\s*ALLOWED_RECIPIENTS = .*$/m, "");
        const onlyRecipients = changed.every((property) => property === "recipients" || property === "create") &&
            withoutRecipients(olds.create) === withoutRecipients(news.create);
        if (onlyRecipients) {
            await session.run(news.alterRecipients);
        } else {
            await session.run(news.create);
            await session.run(news.grantUsage);
        }
        await session.run(news.useOwnerRole);
        return news;
    },

    async delete(session, _id, state) {
        await session.run(state.useAdminRole);
        await dropIfPresent(session, state.drop);
        await session.run(state.useOwnerRole);
    },
};

const provider = snowflakeProvider(emailIntegrationKind);

export type EmailIntegrationArgs = { readonly [K in keyof EmailIntegrationInputs]: pulumi.Input<EmailIntegrationInputs[K]> };

export class EmailIntegration extends pulumi.dynamic.Resource {
    declare readonly name: pulumi.Output<string>;

    constructor(name: string, args: EmailIntegrationArgs, opts?: pulumi.CustomResourceOptions) {
        super(provider, name, { ...args }, { deleteBeforeReplace: true, ...opts }, "wallmonitor", "EmailIntegration");
    }
}
