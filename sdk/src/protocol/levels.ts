/** Wire shapes of levels: a brand's named point thresholds. */
import { Type, type Static } from "typebox";

/** At most this many levels per brand. */
export const MAX_LEVELS = 20;
/** The largest threshold a level may have. */
export const MAX_LEVEL_POINTS = 1e15;
export const MAX_LEVEL_NAME_LENGTH = 40;

export const LevelSchema = Type.Object(
  {
    key: Type.String({ pattern: "^[a-z0-9-]{1,32}$", description: 'Stable name rules use, e.g. "gold"' }),
    name: Type.String({ minLength: 1, maxLength: MAX_LEVEL_NAME_LENGTH, pattern: "\\S", description: 'What members read, e.g. "Gold"' }),
    minPoints: Type.Integer({ minimum: 0, maximum: MAX_LEVEL_POINTS, description: "Points a member needs to reach it" }),
  },
  { additionalProperties: false },
);

export const LevelsSchema = Type.Object({ levels: Type.Array(LevelSchema, { description: "Lowest threshold first" }) });

export const LevelsBody = Type.Object(
  {
    levels: Type.Array(LevelSchema, {
      minItems: 1,
      maxItems: MAX_LEVELS,
      description: `1 to ${MAX_LEVELS} levels: unique keys, thresholds strictly increasing in the order given (the first may be above 0)`,
    }),
  },
  { additionalProperties: false },
);

/** A brand-defined named threshold of points. */
export type Level = Static<typeof LevelSchema>;
/** `GET /v1/brands/:brandId/levels`, `GET` and `PUT /v1/admin/levels`. */
export type Levels = Static<typeof LevelsSchema>;
export type LevelsRequest = Static<typeof LevelsBody>;
