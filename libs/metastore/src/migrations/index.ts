// Every migration, in order. Schema changes ship as new entries here, never by synchronize.
import { InitialSchema1764345600000 } from './1764345600000-initial-schema';
import { Fences1764345600001 } from './1764345600001-fences';
import { ApiTokens1764345600002 } from './1764345600002-api-tokens';
import { OpNamespace1764345600003 } from './1764345600003-op-namespace';
import { WalkLayout1764345600004 } from './1764345600004-walk-layout';

export const MIGRATIONS = [InitialSchema1764345600000, Fences1764345600001, ApiTokens1764345600002, OpNamespace1764345600003, WalkLayout1764345600004];
