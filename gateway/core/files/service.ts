/**
 * service.ts: small files per project. An upload streams to a temporary file under the files
 * directory (never into memory or the database), counting bytes against the size limit, and is
 * renamed into place only when complete, so a refused or broken upload leaves nothing behind.
 * Bytes are stored as <files>/<project-uuid>/<file-uuid>; the user's name is only a label.
 */
import fs from 'node:fs';
import path from 'node:path';
import { createHash, randomUUID } from 'node:crypto';
import type { Config } from '../config.ts';
import { EngineError, NotFoundError, PorticoError, conflict } from '../errors.ts';
import type { Logger } from '../log.ts';
import type { Store } from '../store/index.ts';
import type { Container, Project, StoredFile } from '../types.ts';
import type { Substitute } from '../containers/spec.ts';
import { isUuid } from '../auth/access.ts';
import { checkFileName } from './names.ts';
import { fileReference, fileUrl, newReferenceSecret, referenceToken, replaceReferences, tokenMatches } from './references.ts';
import type { FileEndpoint } from './references.ts';

const SECRET_KEY = 'files.reference_secret';
const CONTENT_TYPE_RE = /^[\w.+-]{1,60}\/[\w.+-]{1,100}$/;

/** UploadOptions describe one upload besides its bytes. */
export interface UploadOptions {
  uploadedBy: string;
  contentType?: string;
  /** the Content-Length the client declared, if any: an oversized upload is refused before it is read. */
  declaredLength?: number;
}

/** OpenFile is a file ready to stream: its size and a read stream over an already opened descriptor. */
export interface OpenFile { size: number; stream: fs.ReadStream }

/** FileService is the small-file API the REST API, the UI and the file server share. */
export type FileService = ReturnType<typeof createFileService>;

/** tooLarge is the 413 for an upload over `limit` bytes. */
export function tooLarge(limit: number): PorticoError {
  return new PorticoError('E_BODY_TOO_LARGE', 413, `the file is larger than the upload limit of ${limit} bytes`);
}

/** filesOff is the 404 every small-file request gets on a site that turned them off (KIOSC_EMBEDDED_FILES=false), as Kiosc has no such pages then. */
export function filesOff(): NotFoundError {
  return new NotFoundError('E_NOT_FOUND', 'small files are turned off on this site (KIOSC_EMBEDDED_FILES / PORTICO_EMBEDDED_FILES is false)');
}

/** createFileService builds the file service; it clears temporary files a crashed upload left behind. */
export function createFileService(deps: { config: Config; store: Store; logger: Logger }) {
  const { config, store, logger } = deps;
  const on = () => { if (!config.embeddedFiles) throw filesOff(); };
  const tmpDir = path.join(config.filesDir, '.tmp');
  fs.rmSync(tmpDir, { recursive: true, force: true });
  fs.mkdirSync(tmpDir, { recursive: true, mode: 0o700 });
  let endpoint: FileEndpoint | null = null;
  let secret: string | null = null;
  const key = () => (secret ??= store.settings.getOrCreate(SECRET_KEY, newReferenceSecret));

  const filePath = (f: Pick<StoredFile, 'projectUuid' | 'uuid'>) => path.join(config.filesDir, f.projectUuid, f.uuid);

  /** writeTemp streams `body` into a new temporary file, enforcing `limit`; it deletes the file on any failure. */
  async function writeTemp(body: AsyncIterable<Buffer>, limit: number): Promise<{ tmp: string; size: number; sha256: string }> {
    const tmp = path.join(tmpDir, randomUUID());
    const hash = createHash('sha256');
    let size = 0;
    const fh = await fs.promises.open(tmp, 'wx', 0o600).catch((err) => { throw store.health.wrap(err, tmp); });
    try {
      for await (const chunk of body) {
        size += chunk.length;
        if (size > limit) throw tooLarge(limit);
        hash.update(chunk);
        // Awaiting each write keeps memory bounded: the next chunk is read only once this one is on disk.
        await fh.write(chunk);
      }
      await fh.close();
    } catch (err) {
      await fh.close().catch(() => {});
      await fs.promises.rm(tmp, { force: true });
      throw store.health.wrap(err, tmp); // a full or read-only data directory is a 503 with the reason
    }
    return { tmp, size, sha256: hash.digest('hex') };
  }

  function sameNameError(name: string): PorticoError {
    return conflict(`a file named ${JSON.stringify(name)} already exists in this project; delete it first or choose another name`);
  }

  function checkName(project: Project, rawName: unknown): string {
    const name = checkFileName(rawName);
    if (store.files.nameTaken(project.id, name)) throw sameNameError(name);
    return name;
  }

  function referencedBy(f: StoredFile): Array<{ uuid: string; title: string }> {
    return store.files.referencing(f.projectId, fileReference(f.uuid));
  }

  return {
    /** list returns a project's files by name. */
    list(projectId: number): StoredFile[] { on(); return store.files.ofProject(projectId); },

    /** get returns the file of a project, or 404 (also for a file of another project). */
    get(projectId: number, uuid: string): StoredFile {
      on();
      const f = isUuid(uuid) ? store.files.byUuid(uuid.toLowerCase()) : null;
      if (!f || f.projectId !== projectId) throw new NotFoundError('E_FILE_NOT_FOUND', 'file not found');
      return f;
    },

    /** byUuid returns a file whatever its project (callers check access against f.projectId). */
    byUuid(uuid: string): StoredFile | null {
      on();
      return isUuid(uuid) ? store.files.byUuid(uuid.toLowerCase()) : null;
    },

    /** checkName validates a name and that it is free in `project` (before any byte is read). */
    checkName(project: Project, rawName: unknown): string { on(); return checkName(project, rawName); },

    /** upload stores `body` as file `rawName` of `project`: 400 bad name, 409 taken, 413 too large. */
    async upload(project: Project, rawName: unknown, body: AsyncIterable<Buffer>, opts: UploadOptions): Promise<StoredFile> {
      on();
      const name = checkName(project, rawName);
      const limit = config.maxUploadBytes;
      if (opts.declaredLength !== undefined && opts.declaredLength > limit) throw tooLarge(limit);
      const { tmp, size, sha256 } = await writeTemp(body, limit);
      const uuid = randomUUID();
      const final = filePath({ projectUuid: project.uuid, uuid });
      try {
        await fs.promises.mkdir(path.dirname(final), { recursive: true, mode: 0o700 });
        await fs.promises.rename(tmp, final);
        const contentType = opts.contentType && CONTENT_TYPE_RE.test(opts.contentType) ? opts.contentType.toLowerCase() : 'application/octet-stream';
        return store.transaction(() => {
          // Checked again: another upload of the same name may have finished meanwhile.
          if (store.files.nameTaken(project.id, name)) throw sameNameError(name);
          return store.files.create(project.id, { uuid, name, size, sha256, contentType, uploadedBy: opts.uploadedBy });
        });
      } catch (err) {
        await fs.promises.rm(tmp, { force: true });
        await fs.promises.rm(final, { force: true });
        throw store.health.wrap(err, final);
      }
    },

    /** open opens a file for reading; null when its bytes are gone (deleted meanwhile). */
    async open(f: StoredFile): Promise<OpenFile | null> {
      let fh: fs.promises.FileHandle;
      try {
        fh = await fs.promises.open(filePath(f), 'r');
      } catch {
        return null;
      }
      const { size } = await fh.stat();
      return { size, stream: fh.createReadStream() };
    },

    /** referencedBy lists the containers of the file's project whose command or environment references it. */
    referencedBy,

    /** remove deletes a file even while containers reference it (they then get 404); returns those containers. */
    async remove(f: StoredFile): Promise<Array<{ uuid: string; title: string }>> {
      const referencing = referencedBy(f);
      store.files.remove(f.id);
      await fs.promises.rm(filePath(f), { force: true });
      logger.info('small file deleted', { file: f.uuid, project: f.projectUuid, referencedBy: referencing.length });
      return referencing;
    },

    /** removeProject deletes the bytes of every small file of a project (its records go with the project row). */
    async removeProject(projectUuid: string): Promise<void> {
      if (!isUuid(projectUuid)) return;
      await fs.promises.rm(path.join(config.filesDir, projectUuid), { recursive: true, force: true });
    },

    /** reference is the placeholder the container form inserts for `f`. */
    reference: (f: Pick<StoredFile, 'uuid'>) => fileReference(f.uuid),

    /** setEndpoint records where containers reach the file server (set once it listens). */
    setEndpoint(ep: FileEndpoint | null): void { endpoint = ep; },
    endpoint: () => endpoint,

    /** substitute turns file references into URLs at container creation (a Substitute for spec.ts); with small files off they stay as they are. */
    substitute: ((text: string, c: Container) => !config.embeddedFiles ? text : replaceReferences(text, (fileUuid) => {
      if (!endpoint) {
        throw new EngineError('E_START_FAILED', 'the command or environment references a small file, but the file server is not listening yet (is the container engine reachable?)');
      }
      const f = store.files.byUuid(fileUuid);
      // A reference to a file of another project still becomes a URL, which answers 404.
      const name = f && f.projectId === c.projectId ? f.name : 'file';
      return fileUrl(endpoint, c.uuid, fileUuid, referenceToken(key(), c.uuid, fileUuid), name);
    })) satisfies Substitute,

    /**
     * resolve answers the file server: the file behind a URL, or null (404) when the token is wrong,
     * the container or file is gone, they belong to different projects, or the request comes from the
     * address of a container of another project (a leaked URL used elsewhere).
     */
    resolve(containerUuid: string, fileUuid: string, token: string, sourceIp: string | null): StoredFile | null {
      if (!config.embeddedFiles) return null;
      if (!isUuid(containerUuid) || !isUuid(fileUuid)) return null;
      if (!tokenMatches(key(), containerUuid, fileUuid, token)) return null;
      const c = store.containers.byUuid(containerUuid.toLowerCase());
      const f = store.files.byUuid(fileUuid.toLowerCase());
      if (!c || !f || f.projectId !== c.projectId) return null;
      if (sourceIp && store.files.projectsAtIp(sourceIp).some((p) => p !== f.projectId)) return null;
      return f;
    },
  };
}
