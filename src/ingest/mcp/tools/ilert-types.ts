/**
 * The fields of ilert's REST objects the tools read (ilert-api reference 2.5). Everything is
 * optional or nullable on purpose: ilert adds fields and omits unrequested ones, and the tools
 * pass the objects through as structured content unchanged.
 */
export interface UserRef {
  id: number
  firstName?: string
  lastName?: string
  email?: string
  role?: string
  timezone?: string
}
export interface Ref {
  id: number
  name?: string
}
export interface Alert {
  id: number
  summary?: string
  details?: string | null
  reportTime?: string
  resolvedOn?: string | null
  status?: string
  priority?: string
  alertKey?: string
  alertSource?: Ref | null
  escalationPolicy?: Ref | null
  assignedTo?: UserRef | null
  responders?: { user?: UserRef; status?: string }[]
  labels?: Record<string, string>
  links?: { href: string; text?: string }[]
}
export interface LogEntry {
  id: number
  timestamp?: string
  logEntryType?: string
  text?: string
}
export interface OnCall {
  user?: UserRef | null
  escalationPolicy?: Ref | null
  schedule?: Ref | null
  start?: string
  end?: string
  escalationLevel?: number | null
}
export interface Shift {
  user?: UserRef | null
  start?: string
  end?: string
}
export interface Schedule {
  id: number
  name?: string
  timezone?: string
  type?: string
  currentShift?: Shift | null
  nextShift?: Shift | null
}
export interface EscalationPolicy {
  id: number
  name?: string
  routingKey?: string
  escalationRules?: { escalationTimeout?: number; users?: UserRef[]; schedules?: Ref[] }[]
}
export interface Service {
  id: number
  name?: string
  status?: string
  description?: string
}
export interface Incident {
  id: number
  summary?: string
  status?: string
  message?: string
  sendNotification?: boolean
  createdAt?: string
  updatedAt?: string
  resolvedOn?: string | null
  affectedServices?: { impact?: string; service?: Ref }[]
}
