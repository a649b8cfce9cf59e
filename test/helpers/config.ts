import { expect } from "chai";

import { ConfigError, parseConfig, WallmonitorConfig } from "../../lib/config/stack";

/** A stack's config from plain `key -> value` strings, as Pulumi hands them over; Pulumi.yaml's defaults behind them. */
export function parseValues(values: Readonly<Record<string, string>>): WallmonitorConfig {
    return parseConfig({ get: (key) => values[key] });
}

/** The ConfigError `values` fail with; the test fails if they parse. */
export function configErrorOf(values: Readonly<Record<string, string>>): ConfigError {
    try {
        parseValues(values);
    } catch (error) {
        expect(error).to.be.instanceOf(ConfigError);
        return error as ConfigError;
    }
    throw new Error(`expected a ConfigError for ${JSON.stringify(values)}`);
}
