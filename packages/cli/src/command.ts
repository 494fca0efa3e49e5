import type { CAC } from 'cac';

/** A cac command being registered (cac exports the class's type only through `cli.command()`). */
export type Command = ReturnType<CAC['command']>;
