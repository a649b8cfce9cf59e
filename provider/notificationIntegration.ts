import { ident, literal } from "../lib/sql/render";
import { Session } from "./connection";
import { providerStatement, Statement } from "./statements";

/**
 * What the email and the webhook integration share: both are account-level notification
 * integrations, created by the admin role, used by the owner role (which runs EVALUATE_ALERTS
 * and sends through them), found with SHOW NOTIFICATION INTEGRATIONS and dropped with DROP
 * NOTIFICATION INTEGRATION whatever their type
 * (https://docs.snowflake.com/en/sql-reference/sql/drop-integration).
 */

export interface NotificationIntegrationStatements {
    readonly grantUsage: Statement;
    readonly show: Statement;
    readonly drop: Statement;
}

export function notificationIntegrationStatements(integrationName: string, ownerRole: string): NotificationIntegrationStatements {
    const integration = ident(integrationName);
    return {
        grantUsage: providerStatement("alerts/grant_integration_usage", { INTEGRATION: integration, ROLE: ident(ownerRole) }),
        show: providerStatement("alerts/show_notification_integration", { NAME: literal(integrationName) }),
        drop: providerStatement("alerts/drop_notification_integration", { INTEGRATION: integration }),
    };
}

/** Whether the integration exists (as far as the session's role can see). */
export async function notificationIntegrationExists(session: Session, show: Statement): Promise<boolean> {
    return (await session.run(show)).length > 0;
}
