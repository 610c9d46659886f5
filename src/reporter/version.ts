/** This package's version, reported as the `agent` instance property (kept in step with package.json by a test). */
export const VERSION = '0.1.0';
