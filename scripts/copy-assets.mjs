// tsc compiles TypeScript only: the data files the package reads at run time (Django's
// common-password list) are copied beside the compiled code.
import { cpSync } from 'node:fs';

cpSync('src/core/data', 'dist/core/data', { recursive: true });
