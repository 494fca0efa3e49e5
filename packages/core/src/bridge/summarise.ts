/** An error as a log field: its name and message only (never a stack, a cause chain or a payload). */
export function summarise(error: unknown): Record<string, unknown> {
  if (error instanceof Error) return { name: error.name, message: error.message };
  return { message: String(error) };
}
