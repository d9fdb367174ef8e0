"""Study: the annual plan and its 集中学法 sessions, attendance (sign-in code, roll call, paper sheets)."""
