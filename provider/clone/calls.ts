/**
 * `KongDatabaseClone`'s methods as the serialized object (`./index.ts`) calls them, each inside a
 * log scope naming its resource (see `../scoped-calls.ts`).
 */
import { scopedCalls } from "../scoped-calls";
import * as handlers from "./clone-handlers";

export const { check, diff, create, read, update, remove } = scopedCalls(handlers);
