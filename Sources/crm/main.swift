import CRMShell
print("crm")
