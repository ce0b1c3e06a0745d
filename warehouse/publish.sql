-- Publish the reconciled staging tables as the public contract, all at once.
-- Run inside one transaction by warehouse.io.publish(): analysts never see half a load.
delete from incident_casualties;
delete from aggregate_claims;
delete from claims;
delete from incident_mentions;
delete from incidents;
insert into incidents by name select * from staging.incidents;
insert into incident_mentions by name select * from staging.incident_mentions;
insert into claims by name select * from staging.reconciled_claims;
insert into incident_casualties by name select * from staging.incident_casualties;
insert into aggregate_claims by name select * from staging.aggregate_claims;
