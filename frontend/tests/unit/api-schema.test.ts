// The API's types are generated from the committed OpenAPI document (`npm run gen:api`, the
// same call as here): a test fails when `src/api/schema.d.ts` was not regenerated after
// `openapi.json` changed (itself checked against the API by `cargo nextest run -p portal-tests
// contract`).
import openapiTS, { COMMENT_HEADER, astToString } from 'openapi-typescript';
import { describe, expect, it } from 'vitest';
import document from '../../openapi.json?raw';
import committed from '../../src/api/schema.d.ts?raw';

describe('the generated API types', () => {
  it('are those of the committed OpenAPI document', async () => {
    // The options of the `gen:api` script (package.json), in the CLI's own words.
    const ast = await openapiTS(document, { defaultNonNullable: false, silent: true });
    const generated = COMMENT_HEADER + astToString(ast);
    expect(committed === generated, 'src/api/schema.d.ts is stale: run `npm run gen:api`').toBe(true);
  });
});
