/** The request's deploy output for the toolhunt example (issue 6 §3), which several tests pin exactly. */
export function toolhuntDeployLines(deploymentId: string): string[] {
  return [
    `Starting deploy for toolhunt (deployment ${deploymentId})...`,
    'Building images:',
    '[✅] toolhunt-cleanup',
    '[✅] toolhunt-api',
    'Deploying components:',
    '[✅] toolhunt-api',
    '[✅] toolhunt-cleanup (waiting for toolhunt-api)',
    '[✅] toolhunt-flower (waiting for toolhunt-api)',
    'All components deployed',
  ];
}
