/**
 * The simulator's state in one object, handed to every route module, so routes stay plain
 * functions and `reset()` has a single place to clear.
 */
import { createFaultInjector, type FaultInjector } from './faults'
import type { ResolvedConfig } from './options'
import { SimOrg } from './org'
import { RestBudgets } from './rest-auth'
import { seedDemoAlerts } from './seed-alerts'
import { AlertState } from './state'
import { StatsBook, type SimulatorStats } from './stats'
import { resetMaintenance } from './rest-responder'

export interface SimContext {
  readonly config: ResolvedConfig
  readonly stats: StatsBook
  readonly state: AlertState
  readonly faults: FaultInjector
  readonly org: SimOrg
  readonly restBudgets: RestBudgets
  snapshot(): SimulatorStats
  reset(): void
}

export function createContext(config: ResolvedConfig): SimContext {
  const stats = new StatsBook()
  const state = new AlertState(config.maxAlerts, config.maxLog)
  const faults = createFaultInjector(config.faults)
  const org = new SimOrg(config.now)
  const restBudgets = new RestBudgets()
  state.hooks = org.hooks
  if (config.demoAlerts) seedDemoAlerts(state, stats, config.now())
  const ctxRef: SimContext = {
    config,
    stats,
    state,
    faults,
    org,
    restBudgets,
    snapshot: () =>
      stats.snapshot({ logDropped: state.log.dropped, alertsDropped: state.alerts.dropped, alerts: state.alerts.length }),
    reset() {
      stats.clear()
      state.clear()
      faults.reset()
      org.reset()
      resetMaintenance(ctxRef)
      restBudgets.clear()
      if (config.demoAlerts) seedDemoAlerts(state, stats, config.now())
    },
  }
  return ctxRef
}
