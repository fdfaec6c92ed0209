/** What the buttons and keys do to the daemon, with the answer applied at once. */
import { api } from './api.js';
import { label } from './lib/tasks.js';
import type { Task } from './lib/types.js';
import { mergeTasks, scheduleRefetch } from './state.js';
import { confirmKill, toast } from './ui.js';

export async function killTask(task: Task): Promise<void> {
  if (!(await confirmKill(label(task)))) return;
  try {
    mergeTasks((await api.kill(task.id)).tasks);
    toast(`killed ${label(task)}`);
  } catch (error) {
    toast((error as Error).message, true);
  }
}

export async function restartTask(task: Task): Promise<void> {
  try {
    mergeTasks([(await api.restart(task.id)).task]);
    toast(`restarted ${label(task)}`);
  } catch (error) {
    toast((error as Error).message, true);
  }
}

export async function envAction(name: string, action: 'up' | 'down'): Promise<void> {
  toast(`${action === 'up' ? 'bringing up' : 'stopping'} ${name}…`);
  try {
    mergeTasks((await (action === 'up' ? api.envUp(name) : api.envDown(name))).tasks);
    toast(`${name} ${action === 'up' ? 'is up' : 'is down'}`);
  } catch (error) {
    toast((error as Error).message, true);
  }
  scheduleRefetch(true);
}
