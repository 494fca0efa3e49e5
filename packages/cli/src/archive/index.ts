export { createFileArchive, type FileArchive, type FileArchiveOptions } from './file-archive.js';
