-- Who is in which team, as dataset-service's team events say: grants to a team reach its members.
CREATE TABLE team_member (
    team_id   UUID NOT NULL,
    user_id   UUID NOT NULL,
    PRIMARY KEY (user_id, team_id)
);
