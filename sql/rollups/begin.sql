-- The selected days are deleted and re-inserted in one transaction: readers never see a day missing.
BEGIN TRANSACTION
