/** The wizard's hooks, from the stores context (renderer/stores/context.tsx). */
export { useWizard } from '../stores/context';
