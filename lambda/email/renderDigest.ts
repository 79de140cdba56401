import { readFile } from 'node:fs/promises'
import path from 'node:path'
import Handlebars from 'handlebars'
import type { DigestView } from './digestView.ts'

/** A rendered digest. */
export interface RenderedDigest {
  readonly subject: string
  readonly html: string
  readonly text: string
}

/** Renders digest views with the handlebars templates of one folder. */
export type DigestRenderer = (view: DigestView) => RenderedDigest

/** Where the templates are: `TEMPLATES_DIR` (set in the Lambda bundle) or the repository's `templates/`. */
export function defaultTemplatesDir(): string {
  return process.env.TEMPLATES_DIR ?? path.join(import.meta.dirname, '..', '..', 'templates')
}

/**
 * Loads `subject.hbs`, `digest.html.hbs`, `digest.txt.hbs` and the partials of
 * `partials/` from a folder. The HTML template escapes every value (token symbols come
 * from the chain); the subject and text are plain text and are not HTML-escaped.
 *
 * @param templatesDir - folder of the templates
 * @returns a renderer
 */
export async function loadDigestRenderer(
  templatesDir = defaultTemplatesDir(),
): Promise<DigestRenderer> {
  const handlebars = Handlebars.create()
  const read = (file: string) => readFile(path.join(templatesDir, file), 'utf8')
  handlebars.registerPartial('alertList', await read('partials/alertList.html.hbs'))
  handlebars.registerPartial('poolTable', await read('partials/poolTable.html.hbs'))
  handlebars.registerPartial('stablePools', await read('partials/stablePools.html.hbs'))
  const options = { strict: true }
  const subject = handlebars.compile(await read('subject.hbs'), { ...options, noEscape: true })
  const html = handlebars.compile(await read('digest.html.hbs'), options)
  const text = handlebars.compile(await read('digest.txt.hbs'), { ...options, noEscape: true })
  return (view) => ({
    // A subject is one header line: no line breaks from anywhere.
    subject: subject(view).replace(/\s+/g, ' ').trim(),
    html: html(view),
    text: text(view),
  })
}
