import { createZodDto } from 'nestjs-zod';
import { z } from 'zod';

/**
 * A response DTO for the OpenAPI document: `class TaskViewDto extends responseDto(schema) {}`
 * documents the schema's output form (what the API sends) as the component `TaskViewDto`.
 * Documentation only: responses are not parsed or stripped through it.
 *
 * Nullable primitives at the top level of a response schema: @nestjs/swagger reads zod's
 * `type: ['string', 'null']` as an array of strings. Use the helpers below (zod writes them as
 * `anyOf: [..., null]`, which survives), or a schema with a format or bound (`z.uuid()`,
 * `isoTime()`, `z.number().int()`, an enum), which zod writes the same way.
 * apps/api/src/common/openapi-completeness.spec.ts fails on a schema the document mangled.
 */
export function responseDto<S extends z.ZodType>(schema: S): ReturnType<typeof createZodDto<S>> {
  return createZodDto(schema).Output as unknown as ReturnType<typeof createZodDto<S>>;
}

/** An ISO 8601 time with its offset, as `Date.toISOString()` writes it. */
export const isoTime = () => z.iso.datetime({ offset: true });

/** A month, YYYY-MM. */
export const periodText = () => z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/).describe('a month, YYYY-MM');

/** A text or null. */
export const nullableText = () => z.string().max(1_000_000).nullable();

/** A finite number or null (a variance, an attainment: null when there is no value, or no finite one). */
export const nullableNumber = () => z.number().min(-Number.MAX_VALUE).max(Number.MAX_VALUE).nullable();

/** One page of a list: its items, the total matching, and the page asked for. */
export const pageOf = <T extends z.ZodType>(item: T) =>
  z.strictObject({
    items: z.array(item),
    total: z.number().int().min(0).describe('items matching, on every page'),
    limit: z.number().int().min(1),
    offset: z.number().int().min(0),
  });

/** An enum of a domain constant object's values (`RiskLevel`, `BudgetStatus`, …). */
export const enumOf = <T extends string>(values: Record<string, T>) => z.enum(Object.values(values) as [T, ...T[]]);
