"""Users, org units (镇/村/科室), cohorts (人员类别), roles, login, bulk import."""
