// The core's Logger on VS Code's `CreatOK` log channel; everything is redacted on the way in.
import * as vscode from 'vscode';
import { redact, type Logger } from '../core/log';

export function channelLogger(channel: vscode.LogOutputChannel): Logger {
  return {
    trace: (m) => channel.trace(redact(m)),
    info: (m) => channel.info(redact(m)),
    warn: (m) => channel.warn(redact(m)),
    error: (m) => channel.error(redact(m)),
  };
}
