import packageJson from '../package.json' with { type: 'json' }

/** The report's version, recorded in every manifest. */
export const VERSION: string = packageJson.version
