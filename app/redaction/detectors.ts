// The one engine every redaction goes through (issue 13), with every detector in precedence
// order: for spans of equal rank, the detector listed first names the secret, so gitleaks'
// rule names come before ours.
import { ASSIGNMENTS, SECRET_ARRAYS, SECRET_NAME_KEYWORDS } from './assignments';
import { COMMAND_LINES } from './commandLines';
import { ENCODED_DETECTORS } from './encoded';
import { Engine } from './engine';
import { GITLEAKS_DETECTORS } from './gitleaks';
import { sharedWindows } from './pattern';
import { MARKUP, STRUCTURED_DETECTORS, TABLE } from './structured';
import { BLOCK_DETECTORS, TOKEN_DETECTORS } from './tokens';

/** The engine with the maintained ruleset (gitleaks) and the contextual rules. */
export const ENGINE = new Engine([
  ...BLOCK_DETECTORS,
  ...GITLEAKS_DETECTORS,
  ...TOKEN_DETECTORS,
  ...ENCODED_DETECTORS,
  COMMAND_LINES,
  ...STRUCTURED_DETECTORS,
  SECRET_ARRAYS,
  // Values by key name: assignments, table rows and markup share their keywords' windows.
  sharedWindows(SECRET_NAME_KEYWORDS, ASSIGNMENTS.window ?? { linesAfter: 2, before: 1024, after: 8192 }, [ASSIGNMENTS, TABLE, ...MARKUP]),
]);
